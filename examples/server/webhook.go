package main

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/jira"
	"github.com/seatwarden/seatwarden/report/history"
	"github.com/seatwarden/seatwarden/usermgmt"
)

// hookPayload is what the webhook reads of Jira's payload.
type hookPayload struct {
	Timestamp    int64  `json:"timestamp"`
	WebhookEvent string `json:"webhookEvent"`
	Issue        *struct {
		ID     string `json:"id"`
		Key    string `json:"key"`
		Fields struct {
			Status struct {
				Name string `json:"name"`
			} `json:"status"`
		} `json:"fields"`
	} `json:"issue"`
	Changelog *struct {
		ID    string `json:"id"`
		Items []struct {
			Field    string `json:"field"`
			ToString string `json:"toString"`
		} `json:"items"`
	} `json:"changelog"`
	User *struct {
		Name      string `json:"name"`
		Key       string `json:"key"`
		AccountID string `json:"accountId"`
	} `json:"user"`
}

// verify checks a webhook delivery: an X-Hub-Signature (sha256=HMAC of
// the body with the secret), or else the secret as ?token= in the URL.
func (s *server) verify(r *http.Request, body []byte) bool {
	secret := []byte(s.cfg.webhookSecret)
	if sig := r.Header.Get("X-Hub-Signature"); sig != "" {
		got, err := hex.DecodeString(strings.TrimPrefix(sig, "sha256="))
		if err != nil || !strings.HasPrefix(sig, "sha256=") {
			return false
		}
		m := hmac.New(sha256.New, secret)
		m.Write(body)
		return hmac.Equal(got, m.Sum(nil))
	}
	tok := sha256.Sum256([]byte(r.URL.Query().Get("token")))
	want := sha256.Sum256(secret)
	return r.URL.Query().Has("token") && subtle.ConstantTimeCompare(tok[:], want[:]) == 1
}

// POST /webhooks/jira: Jira's webhook, from an admin webhook or a
// workflow's "Trigger a Webhook" post function. It answers fast; the work
// (applying an approved plan, running the new-user policies) goes on in
// the background.
func (s *server) webhook(w http.ResponseWriter, r *http.Request) {
	if s.cfg.webhookSecret == "" {
		writeError(w, http.StatusForbidden, "webhooks are off: the server has no webhook secret (SEATWARDEN_WEBHOOK_SECRET)")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeError(w, http.StatusRequestEntityTooLarge, "request body over %d bytes", mbe.Limit)
			return
		}
		writeError(w, http.StatusBadRequest, "reading the body: %v", err)
		return
	}
	if !s.verify(r, body) {
		s.cfg.log.LogAttrs(r.Context(), slog.LevelWarn, "webhook refused: bad signature or token", slog.String("remote", r.RemoteAddr))
		writeError(w, http.StatusUnauthorized, "webhook signature or token missing or wrong")
		return
	}
	var p hookPayload
	if err := json.Unmarshal(body, &p); err != nil {
		writeError(w, http.StatusBadRequest, "bad JSON body: %v", err)
		return
	}
	key, ok := p.dedupeKey()
	if !ok {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ignored", "reason": "not an event this service handles"})
		return
	}
	first, err := s.cfg.store.FirstEvent(r.Context(), key, s.cfg.now())
	if err != nil {
		writeError(w, http.StatusInternalServerError, "history: %v", err)
		return
	}
	if !first {
		writeJSON(w, http.StatusOK, map[string]string{"status": "duplicate"})
		return
	}
	switch p.WebhookEvent {
	case "user_created":
		ref := *p.User
		s.background(func(ctx context.Context) { s.userCreated(ctx, ref.Key, ref.Name, ref.AccountID) })
		writeJSON(w, http.StatusAccepted, map[string]string{"status": "accepted"})
		return
	}
	id, pending, err := s.approvals.ResolveIssue(r.Context(), p.Issue.Key)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "history: %v", err)
		return
	} else if !pending {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ignored", "reason": "no pending plan for this issue"})
		return
	}
	// The payload's status is a hint; Resolve asks Jira for the issue's
	// status before applying anything.
	s.background(func(ctx context.Context) {
		if _, err := s.approvals.Resolve(ctx, id); err != nil && !usermgmt.Refused(err) && !errors.Is(err, usermgmt.ErrPlanBusy) {
			s.cfg.log.LogAttrs(ctx, slog.LevelWarn, "webhook: plan not resolved", slog.String("plan_id", id), slog.String("error", err.Error()))
		}
	})
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "accepted", "plan": id})
}

// dedupeKey identifies an event, so a replayed delivery is ignored: the
// issue id with the changelog id (or the timestamp) for issue events,
// the user with the timestamp for new users. ok is false for events the
// service does not handle.
func (p *hookPayload) dedupeKey() (key string, ok bool) {
	ts := strconv.FormatInt(p.Timestamp, 10)
	switch p.WebhookEvent {
	case "jira:issue_updated", "jira:issue_created":
		if p.Issue == nil || p.Issue.Key == "" {
			return "", false
		}
		change := ts
		if p.Changelog != nil && p.Changelog.ID != "" {
			change = "changelog:" + p.Changelog.ID
		}
		return "issue:" + cmp.Or(p.Issue.ID, p.Issue.Key) + ":" + change, true
	case "user_created":
		if p.User == nil || p.User.Key+p.User.Name+p.User.AccountID == "" {
			return "", false
		}
		return "user_created:" + cmp.Or(p.User.AccountID, p.User.Key, p.User.Name) + ":" + ts, true
	}
	return "", false
}

// newUser selects one user, the one just created, among those the
// policy's criterion selects.
type newUser struct {
	key, name, accountID string
	inner                actions.Matcher
}

func (n newUser) is(u *jira.User) bool {
	return (n.accountID != "" && u.AccountID == n.accountID) || (n.key != "" && u.Key == n.key) ||
		(n.name != "" && strings.EqualFold(u.Name, n.name))
}

func (n newUser) Match(ctx context.Context, u *jira.User) (bool, error) {
	if !n.is(u) {
		return false, nil
	}
	return n.inner.Match(ctx, u)
}

func (n newUser) Why(u *jira.User, now time.Time) string {
	why := "created just now"
	if w, ok := n.inner.(interface {
		Why(*jira.User, time.Time) string
	}); ok {
		why += "; " + w.Why(u, now)
	}
	return why
}

// needing is an action that asks the snapshot for what its policy's
// criterion and exemptions read as well (actions.Requirer).
type needing struct {
	actions.Action
	needs func(jira.Flavor) jira.SnapshotOptions
}

func (n needing) Requires(fl jira.Flavor) jira.SnapshotOptions { return n.needs(fl) }

// userCreated runs the policies marked onUserCreated for a new user: each
// plans for that user alone and is applied, or waits for its approval.
func (s *server) userCreated(ctx context.Context, key, name, accountID string) {
	f := s.cfg.file
	log := s.cfg.log.With("user", cmp.Or(accountID, name, key))
	policies := f.Policies()
	for i := range policies {
		p := &policies[i]
		if !p.When.OnUserCreated {
			continue
		}
		log := log.With("policy", p.Name)
		if err := s.trigger(ctx, p, newUser{key: key, name: name, accountID: accountID}); err != nil {
			log.LogAttrs(ctx, slog.LevelWarn, "user_created: policy not run", slog.String("error", err.Error()))
		}
	}
}

func (s *server) trigger(ctx context.Context, p *usermgmt.CompiledPolicy, sel newUser) error {
	f := s.cfg.file
	ap, err := f.ActionsPolicy(p.Name)
	if err != nil {
		return err
	}
	common, err := f.CommonExemptions()
	if err != nil {
		return err
	}
	ap.Exemptions.Users = append(ap.Exemptions.Users, common.Users...)
	ap.Exemptions.Groups = append(ap.Exemptions.Groups, common.Groups...)
	ap.Exemptions.Rules = append(ap.Exemptions.Rules, common.Rules...)
	if ap.Select == nil {
		return errors.New("the policy has no criterion")
	}
	sel.inner = ap.Select
	ap.Select = sel
	// The snapshot must hold what the criterion reads, not only what
	// the actions need.
	orig := ap
	ap.Action = needing{Action: ap.Action, needs: func(fl jira.Flavor) jira.SnapshotOptions {
		return f.SnapshotOptions(fl, []actions.Policy{orig}, common)
	}}
	// A manager whose default site is the policy's, so that the plan of
	// the policy built here is made on it.
	site, err := s.siteFor(p.Site)
	if err != nil {
		return err
	}
	m, err := usermgmt.New(s.cfg.managerConfig(s.clients, site))
	if err != nil {
		return err
	}
	plan, _, err := m.PlanPolicies(ctx, ap)
	if err != nil {
		return err
	}
	if len(plan.Users) == 0 {
		s.cfg.log.LogAttrs(ctx, slog.LevelInfo, "user_created: nothing to do", slog.String("policy", p.Name))
		return nil
	}
	approvals, err := s.newApprovals(m)
	if err != nil {
		return err
	}
	rec, err := approvals.Record(ctx, plan, "user_created")
	if err != nil || rec.Status != history.PlanPlanned {
		return err
	}
	_, err = approvals.Apply(ctx, rec.ID)
	return err
}
