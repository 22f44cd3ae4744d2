package usermgmt

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"time"

	"github.com/seatwarden/seatwarden/actions"
	"github.com/seatwarden/seatwarden/report/email"
)

// The actions of policy files are described once, in package actions
// (actions.Actions): their names, parameters, the step kinds they plan,
// whether only Data Center has them, their documentation and the
// constructors they build. ActionKinds, validation, ActionSpec.String and
// the plan's actions are derived from that table here; an ActionSpec's
// parameters are read from its fields by their YAML names, so a new
// action that takes parameters other actions have needs nothing in this
// package, and one with a new parameter needs only its ActionSpec field.

// ActionKinds lists every action kind, in the order of the documentation.
func ActionKinds() []ActionKind {
	defs := actions.Actions()
	out := make([]ActionKind, len(defs))
	for i, d := range defs {
		out[i] = ActionKind(d.Name)
	}
	return out
}

// String returns the action as in a plan: "removeGroups(a, b)".
func (a ActionSpec) String() string {
	if d, ok := actionOf(a.Action); ok && d.Label != nil {
		return string(a.Action) + "(" + d.Label(a.args(time.UTC)) + ")"
	}
	return string(a.Action)
}

// actionOf returns the definition of kind.
func actionOf(kind ActionKind) (actions.ActionDef, bool) {
	return actions.LookupAction(string(kind))
}

// specParams maps each parameter name (an ActionSpec field's YAML name)
// to its field index; "action" is not a parameter.
var specParams = func() map[string]int {
	out := map[string]int{}
	t := reflect.TypeFor[ActionSpec]()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "action" {
			out[name] = i
		}
	}
	return out
}()

// args returns the parameters an action spec sets, by name.
func (a *ActionSpec) args(loc *time.Location) actions.Args {
	v := reflect.ValueOf(a).Elem()
	out := actions.Args{Values: map[string]any{}, Location: loc}
	for name, i := range specParams {
		f := v.Field(i)
		switch x := f.Interface().(type) {
		case json.RawMessage:
			if x != nil {
				out.Values[name] = x
			}
		case []string:
			if x != nil {
				out.Values[name] = x
			}
		default:
			if !f.IsZero() {
				out.Values[name] = x
			}
		}
	}
	return out
}

// setParams returns the parameters an action spec sets, in field order.
func setParams(a *ActionSpec) []string {
	set := a.args(nil).Values
	var out []string
	t := reflect.TypeFor[ActionSpec]()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if _, ok := set[name]; ok {
			out = append(out, name)
		}
	}
	return out
}

// action returns the action a validated spec describes; loc is the
// policy's time zone.
func (a ActionSpec) action(loc *time.Location) (actions.Action, error) {
	if loc == nil {
		loc = time.UTC
	}
	act, err := actions.BuildAction(string(a.Action), a.args(loc))
	if err != nil {
		return nil, fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "actions: "))
	}
	return act, nil
}

// checkBuild reports what the action's own checks find (a notify
// template that is not valid), at the parameter's path, when nothing
// else was found wrong with the action.
func checkBuild(path string, a *ActionSpec, ps *problems) {
	for _, p := range ps.list {
		if p.Path == path || strings.HasPrefix(p.Path, path+".") {
			return
		}
	}
	_, err := actions.BuildAction(string(a.Action), a.args(nil))
	if err == nil {
		return
	}
	if pe, ok := errors.AsType[*actions.ParamError](err); ok {
		msg := pe.Msg
		if pe.Line > 0 {
			msg = fmt.Sprintf("line %d, column %d of the %s: %s", pe.Line, pe.Column, pe.Param, pe.Msg)
		}
		ps.add(path+"."+pe.Param, err, "%s", msg)
		return
	}
	ps.add(path, err, "%s", strings.TrimPrefix(err.Error(), "actions: "))
}

// mailer returns the Mailer of notify steps: nil without Config.SMTP (the
// steps then fail with actions.ErrNoMailer).
func (m *Manager) mailer(c Client, log *slog.Logger) actions.Mailer {
	if m.cfg.SMTP == nil {
		return nil
	}
	ml := &email.Mailer{SMTP: *m.cfg.SMTP, From: m.cfg.MailFrom, Logger: log}
	if gm, ok := c.(email.GroupMembers); ok {
		ml.Groups = gm
	}
	return ml
}
