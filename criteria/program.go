package criteria

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/seatwarden/seatwarden/jira"
)

// errNilUser is the error of matching a nil user.
var errNilUser = errors.New("criteria: nil user")

// Match reports whether *u matches the criterion now, as read from the
// clock set by [WithNow]. It has the method set of the actions package's
// Matcher. A runtime error fails closed: Match returns false and the error.
// A cancelled ctx returns false and ctx's error; so does a nil u, with an
// error. Match only reads *u and keeps no reference to it.
func (p *Program) Match(ctx context.Context, u *jira.User) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	return p.MatchAt(u, p.opts.now())
}

// MatchAt reports whether *u matches the criterion at instant now. A
// criterion evaluated twice at the same instant gives the same answer. A
// runtime error (such as a missing lastActive product) fails closed: MatchAt
// returns false and the error; so does a nil u. MatchAt only reads *u and
// keeps no reference to it.
func (p *Program) MatchAt(u *jira.User, now time.Time) (bool, error) {
	if u == nil {
		return false, errNilUser
	}
	if p.fast != nil {
		f := frame{now: now.Round(0)}
		if p.fastToday {
			f.today = dayIn(now, p.opts.loc)
		}
		return p.fast(u, f), nil
	}
	s := p.pool.Get().(*state)
	s.env.fill(u, now, p.fills)
	ok, err := p.run(s)
	s.env.clear()
	p.pool.Put(s)
	if err != nil {
		return false, fmt.Errorf("criteria: user %s: %w", u.ID(), err)
	}
	return ok, nil
}

// Eval evaluates the criterion over env, which must come from [NewEnv]. It
// fails closed like [Program.MatchAt].
func (p *Program) Eval(env *Env) (bool, error) {
	s := p.pool.Get().(*state)
	defer p.pool.Put(s)
	saved := s.env
	s.env = env
	ok, err := p.run(s)
	s.env = saved
	if err != nil {
		return false, fmt.Errorf("criteria: %w", err)
	}
	return ok, nil
}

func (p *Program) run(s *state) (bool, error) {
	out, err := s.vm.Run(p.prog, s.env)
	if err != nil {
		return false, err
	}
	b, ok := out.(bool)
	if !ok {
		return false, errNotBool
	}
	return b, nil
}
