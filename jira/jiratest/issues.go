package jiratest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/seatwarden/seatwarden/jira"
)

// The fake's projects share one workflow, shaped for approvals:
//
//	Open ──Request approval(11)──► Waiting for approval
//	Open, Waiting ──Approve(21)──► Approved
//	Open, Waiting ──Reject(31)───► Rejected
//	any but Closed ──Close(41)───► Closed
//	Approved, Rejected, Closed ──Reopen(51)──► Open
//
// Every transition fires jira:issue_updated webhooks, as the "Trigger a
// Webhook" post function does.

var issueTypes = []string{"Task", "Bug", "Story", "Epic", "Service Request"}

func (s *Server) apiBase() string {
	if s.cfg.flavor == jira.DataCenter {
		return "/rest/api/2"
	}
	return "/rest/api/3"
}

// restAPIs are the REST APIs the flavour serves: /rest/api/2 on DC;
// [cloudAPIs] on Cloud.
func (s *Server) restAPIs() []string {
	if s.cfg.flavor == jira.DataCenter {
		return []string{"/rest/api/2"}
	}
	return cloudAPIs
}

// api is the REST API the request came through: on Cloud /rest/api/3 or
// /rest/api/2, on DC /rest/api/2. Self links use it.
func (c *call) api() string {
	if c.rt != nil && c.s.cfg.flavor == jira.Cloud && strings.HasPrefix(c.rt.path, "/rest/api/2/") {
		return "/rest/api/2"
	}
	return c.s.apiBase()
}

// plainText reports whether issue descriptions and comment bodies are
// plain strings in this request (DC, Cloud REST v2), rather than Atlassian
// Document Format (Cloud REST v3).
func (c *call) plainText() bool { return c.api() == "/rest/api/2" }

func (s *Server) registerIssues() {
	for _, api := range s.restAPIs() {
		s.registerIssuesAPI(api)
	}
}

func (s *Server) registerIssuesAPI(api string) {
	getParams := []string{"fields", "expand", "properties", "updateHistory"}
	trParams := []string{"expand", "transitionId"}
	if s.cfg.flavor == jira.Cloud {
		getParams = append(getParams, "fieldsByKeys", "failFast")
		trParams = append(trParams, "skipRemoteOnlyCondition", "includeUnavailableTransitions", "sortByOpsBarAndStatus")
	}
	s.handle("POST", api+"/issue", authUser, []string{"updateHistory"}, (*call).createIssue)
	s.handle("GET", api+"/issue/{issueIdOrKey}", authUser, getParams, func(c *call) {
		if is := c.issue(); is != nil {
			c.writeJSON(http.StatusOK, c.issueJSON(is, c.q("fields")))
		}
	})
	s.handle("GET", api+"/issue/{issueIdOrKey}/transitions", authUser, trParams, func(c *call) {
		is := c.issue()
		if is == nil {
			return
		}
		out := []map[string]any{}
		for _, t := range c.st.workflow {
			if slices.Contains(t.from, is.status.id) && (c.q("transitionId") == "" || c.q("transitionId") == t.id) {
				tr := map[string]any{
					"id": t.id, "name": t.name, "to": c.statusJSON(t.to),
					"hasScreen": false, "isGlobal": false, "isInitial": false, "isConditional": false,
				}
				if c.s.cfg.flavor == jira.Cloud {
					tr["isAvailable"], tr["isLooped"] = true, false
				}
				if hasExpand(c.q("expand"), "transitions.fields") {
					tr["fields"] = map[string]any{} // no transition has a screen
				}
				out = append(out, tr)
			}
		}
		c.writeJSON(http.StatusOK, map[string]any{"expand": "transitions", "transitions": out})
	})
	s.handle("GET", api+"/issue/{issueIdOrKey}/comment", authUser, []string{"startAt", "maxResults", "orderBy", "expand"}, func(c *call) {
		is := c.issue()
		if is == nil {
			return
		}
		startAt, maxResults, ok := c.page(50, 5000)
		if !ok {
			return
		}
		list := is.comments
		if c.q("orderBy") == "-created" {
			list = slices.Clone(list)
			slices.Reverse(list)
		}
		out := []map[string]any{}
		for _, cm := range list[min(startAt, len(list)):min(startAt+maxResults, len(list))] {
			out = append(out, c.commentJSON(is, cm))
		}
		c.writeJSON(http.StatusOK, map[string]any{"startAt": startAt, "maxResults": maxResults, "total": len(list), "comments": out})
	})
	s.handle("POST", api+"/issue/{issueIdOrKey}/comment", authUser, []string{"expand"}, func(c *call) {
		is := c.issue()
		if is == nil {
			return
		}
		var body struct {
			Body json.RawMessage `json:"body"`
		}
		if !c.decode(&body) {
			return
		}
		b := body.Body
		switch {
		case len(b) == 0 || string(b) == "null" || string(b) == `""`:
			c.fieldError(http.StatusBadRequest, "comment", "Comment body can not be empty!")
			return
		case !c.plainText() && b[0] != '{':
			c.fieldError(http.StatusBadRequest, "comment", "Comment body must be an Atlassian Document (see the Atlassian Document Format)")
			return
		case c.plainText() && b[0] != '"':
			c.fieldError(http.StatusBadRequest, "comment", "Comment body must be a string")
			return
		}
		b = c.storeText(b)
		c.st.commentSeq++
		cm := &comment{id: strconv.Itoa(10000 + c.st.commentSeq), body: slices.Clone(b), author: c.caller, created: time.Now()}
		is.comments = append(is.comments, cm)
		is.updated = cm.created
		c.events = append(c.events, c.issueEvent(is, "comment_created", "issue_commented", nil))
		c.writeJSON(http.StatusCreated, c.commentJSON(is, cm))
	})
	s.handle("POST", api+"/issue/{issueIdOrKey}/transitions", authUser, nil, func(c *call) {
		is := c.issue()
		if is == nil {
			return
		}
		var body struct {
			Transition struct {
				ID string `json:"id"`
			} `json:"transition"`
		}
		if !c.decode(&body) {
			return
		}
		if !c.transition(is, body.Transition.ID) {
			c.errorf(http.StatusBadRequest, "Transition id '%s' is not valid for this issue.", body.Transition.ID)
			return
		}
		c.noContent(http.StatusNoContent)
	})
}

func (c *call) issue() *issue {
	id := c.r.PathValue("issueIdOrKey")
	is := c.st.issues[strings.ToUpper(id)]
	if is == nil {
		c.errorf(http.StatusNotFound, "Issue Does Not Exist")
		return nil
	}
	return is
}

// transition moves is through the workflow transition with the given id
// and queues the webhook event. It reports false when the transition does
// not exist or is not available from the issue's status.
func (c *call) transition(is *issue, id string) bool {
	i := slices.IndexFunc(c.st.workflow, func(t *transition) bool { return t.id == id })
	if i < 0 || !slices.Contains(c.st.workflow[i].from, is.status.id) {
		return false
	}
	t := c.st.workflow[i]
	from := is.status
	is.status = t.to
	is.updated = time.Now()
	c.events = append(c.events, c.issueEvent(is, "jira:issue_updated", "issue_generic", map[string]any{
		"id": strconv.Itoa(c.st.nextChange()),
		"items": []map[string]any{{
			"field": "status", "fieldtype": "jira", "fieldId": "status",
			"from": from.id, "fromString": from.name, "to": t.to.id, "toString": t.to.name,
		}},
	}))
	return true
}

type issueFields struct {
	Project     *struct{ Key, ID string }  `json:"project"`
	IssueType   *struct{ Name, ID string } `json:"issuetype"`
	Summary     string                     `json:"summary"`
	Description json.RawMessage            `json:"description"`
	Labels      []string                   `json:"labels"`
	Reporter    map[string]string          `json:"reporter"`
	Assignee    map[string]string          `json:"assignee"`
}

func (c *call) createIssue() {
	var body struct {
		Fields issueFields `json:"fields"`
	}
	if !c.decode(&body) {
		return
	}
	f := body.Fields
	errs := map[string]string{}
	var p *project
	if f.Project != nil {
		p = c.st.projects[strings.ToUpper(f.Project.Key)]
		if p == nil && f.Project.ID != "" {
			for _, x := range c.st.projects {
				if x.id == f.Project.ID {
					p = x
				}
			}
		}
	}
	if p == nil {
		errs["project"] = "valid project is required"
	}
	typ := ""
	if f.IssueType != nil {
		for _, t := range issueTypes {
			if strings.EqualFold(t, f.IssueType.Name) || f.IssueType.ID == strconv.Itoa(10001+slices.Index(issueTypes, t)) {
				typ = t
			}
		}
	}
	if typ == "" {
		errs["issuetype"] = "valid issue type is required"
	}
	if strings.TrimSpace(f.Summary) == "" {
		errs["summary"] = "You must specify a summary of the issue."
	}
	if len(f.Description) > 0 && string(f.Description) != "null" {
		isString := f.Description[0] == '"'
		if !c.plainText() && isString {
			errs["description"] = "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
		}
		if c.plainText() && !isString {
			errs["description"] = "Operation value must be a string"
		}
	}
	reporter, assignee := c.caller, (*user)(nil)
	if f.Reporter != nil {
		if reporter = c.userByBody(f.Reporter); reporter == nil {
			errs["reporter"] = "Specified reporter is not a user."
		}
	}
	if f.Assignee != nil {
		if assignee = c.userByBody(f.Assignee); assignee == nil {
			errs["assignee"] = "User does not exist or you do not have permission to see it."
		}
	}
	if len(errs) > 0 {
		writeErrors(c.w, http.StatusBadRequest, nil, errs)
		return
	}
	c.st.issueSeq++
	now := time.Now()
	p.issues++
	is := &issue{
		id: strconv.Itoa(c.st.issueSeq), key: fmt.Sprintf("%s-%d", p.key, p.issues), project: p, issueType: typ,
		summary: f.Summary, description: c.storeText(f.Description), status: c.st.statuses["1"],
		reporter: reporter, assignee: assignee, created: now, updated: now, labels: f.Labels,
	}
	c.st.issues[is.id] = is
	c.st.issues[is.key] = is
	c.events = append(c.events, c.issueEvent(is, "jira:issue_created", "issue_created", nil))
	c.writeJSON(http.StatusCreated, map[string]any{
		"id": is.id, "key": is.key, "self": c.base() + c.api() + "/issue/" + is.id,
	})
}

// userByBody finds the user a request body names: {"name"} or {"key"} on
// DC, {"accountId"} or {"id"} on Cloud.
func (c *call) userByBody(m map[string]string) *user {
	var u *user
	if c.s.cfg.flavor == jira.DataCenter {
		if m["name"] != "" {
			u = c.st.byName[strings.ToLower(m["name"])]
		} else if m["key"] != "" {
			u = c.st.byKey[m["key"]]
		}
	} else {
		id := m["accountId"]
		if id == "" {
			id = m["id"]
		}
		u = c.st.byAccount[id]
	}
	if u == nil || u.removed {
		return nil
	}
	return u
}

func (c *call) commentJSON(is *issue, cm *comment) map[string]any {
	return map[string]any{
		"self": c.base() + c.api() + "/issue/" + is.id + "/comment/" + cm.id,
		"id":   cm.id, "body": c.showText(cm.body), "author": c.userBrief(cm.author), "updateAuthor": c.userBrief(cm.author),
		"created": cm.created.Format(jiraTime), "updated": cm.created.Format(jiraTime),
	}
}

func (c *call) statusJSON(st *status) map[string]any {
	cat := map[string]any{"id": 2, "key": "new", "name": "To Do", "colorName": "blue-gray"}
	switch st.id {
	case "10002", "10003", "6":
		cat = map[string]any{"id": 3, "key": "done", "name": "Done", "colorName": "green"}
	case "10001":
		cat = map[string]any{"id": 4, "key": "indeterminate", "name": "In Progress", "colorName": "yellow"}
	}
	cat["self"] = c.base() + c.api() + "/statuscategory/" + fmt.Sprint(cat["id"])
	return map[string]any{
		"self": c.base() + c.api() + "/status/" + st.id,
		"id":   st.id, "name": st.name, "statusCategory": cat,
	}
}

// issueJSON renders an issue; fields, when not empty, is the
// comma-separated list of fields to include.
func (c *call) issueJSON(is *issue, fields string) map[string]any {
	all := map[string]any{
		"summary":   is.summary,
		"status":    c.statusJSON(is.status),
		"issuetype": map[string]any{"id": strconv.Itoa(10001 + slices.Index(issueTypes, is.issueType)), "name": is.issueType},
		"project":   map[string]any{"id": is.project.id, "key": is.project.key, "name": is.project.name},
		"reporter":  c.userBrief(is.reporter),
		"assignee":  c.userBrief(is.assignee),
		"created":   is.created.Format(jiraTime),
		"updated":   is.updated.Format(jiraTime),
		"labels":    append([]string{}, is.labels...),
	}
	if len(is.description) > 0 && string(is.description) != "null" {
		all["description"] = c.showText(is.description)
	} else {
		all["description"] = nil
	}
	out := all
	if fields != "" && fields != "*all" && fields != "*navigable" {
		out = map[string]any{}
		for _, f := range strings.Split(fields, ",") {
			if v, ok := all[strings.TrimSpace(f)]; ok {
				out[strings.TrimSpace(f)] = v
			}
		}
	}
	return map[string]any{
		"expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
		"id":     is.id, "key": is.key, "self": c.base() + c.api() + "/issue/" + is.id,
		"fields": out,
	}
}

// jiraTime is how Jira writes timestamps: 2023-08-30T16:37:01.000+1000.
const jiraTime = "2006-01-02T15:04:05.000-0700"

// userBrief is the short user representation inside issues and webhooks.
func (c *call) userBrief(u *user) any {
	if u == nil {
		return nil
	}
	m := map[string]any{"displayName": u.displayName, "active": u.jiraActive(), "timeZone": u.timeZone}
	if c.s.cfg.flavor == jira.DataCenter {
		m["self"] = c.base() + "/rest/api/2/user?username=" + u.name
		m["name"], m["key"] = u.name, u.key
		m["emailAddress"] = u.email
	} else {
		m["self"] = c.base() + "/rest/api/3/user?accountId=" + u.accountID
		m["accountId"], m["accountType"] = u.accountID, string(u.accountType)
		if !u.emailHidden && u.email != "" {
			m["emailAddress"] = u.email
		}
	}
	return m
}

// ident names a user in logs and listings: the name on DC, the accountId on
// Cloud; "" for nobody.
func (c *call) ident(u *user) string {
	if u == nil {
		return ""
	}
	return c.s.ident(u)
}

// issueEvent builds an issue webhook event as of now.
func (c *call) issueEvent(is *issue, name, typeName string, changelog map[string]any) event {
	payload := map[string]any{
		"timestamp":             time.Now().UnixMilli(),
		"webhookEvent":          name,
		"issue_event_type_name": typeName,
		"user":                  c.userBrief(c.caller),
		"issue":                 c.issueJSON(is, ""),
	}
	if changelog != nil {
		payload["changelog"] = changelog
	}
	return event{
		name: name, project: is.project.key, payload: payload,
		vars: map[string]string{"issue.key": is.key, "issue.id": is.id, "project.key": is.project.key,
			"project.id": is.project.id, "modifiedUser.name": c.ident(c.caller)},
	}
}

// userCreatedEvent builds the user_created webhook event.
func (c *call) userCreatedEvent(u *user) event {
	return event{name: "user_created", payload: map[string]any{
		"timestamp": time.Now().UnixMilli(), "webhookEvent": "user_created", "user": c.userBrief(u),
	}}
}

// Issue is the state of an issue, for tests.
type Issue struct {
	ID, Key     string
	Project     string
	Type        string
	Summary     string
	Status      string
	Reporter    string // name (DC) or accountId (Cloud)
	Description json.RawMessage
	// Comments are the bodies of the issue's comments, oldest first: JSON
	// strings on DC, ADF documents on Cloud.
	Comments []json.RawMessage
}

// Issue returns the current state of the issue with the given key or id.
func (s *Server) Issue(keyOrID string) (Issue, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.st.issues[strings.ToUpper(keyOrID)]
	if is == nil {
		return Issue{}, false
	}
	out := Issue{ID: is.id, Key: is.key, Project: is.project.key, Type: is.issueType,
		Summary: is.summary, Status: is.status.name, Description: is.description}
	if is.reporter != nil {
		out.Reporter = s.ident(is.reporter)
	}
	for _, cm := range is.comments {
		out.Comments = append(out.Comments, slices.Clone(cm.body))
	}
	return out, true
}

// Transition moves an issue through a workflow transition, by id ("21") or
// name ("Approve"), as the administrator, and fires the webhooks, as a
// person clicking the transition in Jira would.
func (s *Server) Transition(keyOrID, transition string) error {
	s.mu.Lock()
	is := s.st.issues[strings.ToUpper(keyOrID)]
	if is == nil {
		s.mu.Unlock()
		return fmt.Errorf("jiratest: no issue %s", keyOrID)
	}
	id := transition
	for _, t := range s.st.workflow {
		if strings.EqualFold(t.name, transition) {
			id = t.id
		}
	}
	c := &call{s: s, st: s.st, r: &http.Request{Host: strings.TrimPrefix(s.URL, "http://")}, caller: s.st.users[0]}
	ok := c.transition(is, id)
	s.mu.Unlock()
	for _, e := range c.events {
		s.fire(e)
	}
	if !ok {
		return fmt.Errorf("jiratest: transition %q is not valid for %s in status %s", transition, is.key, is.status.name)
	}
	return nil
}
