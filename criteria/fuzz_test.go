package criteria

import (
	"testing"
	"time"
)

var fuzzSeeds = []string{
	`active && (neverLoggedIn ? daysSinceCreated > 30 : daysSinceLastLogin > 90) && !inGroup("jira-administrators") && emailDomain != "example.com"`,
	`not (daysSinceLastLogin > 90 or active) and email == ""`,
	`let d = daysSinceLastLogin; d > 90 ? inGroup("a") : hasLicence("b")`,
	`any(groups, # matches "^jira-") && before(lastLogin, "2026-01-31")`,
	`daysSince(lastActive["jira-software"]) > 30 || property("x", 1) == 2`,
	`name matches property("p", ".*") && date("2026-01-01") < now`,
	`(loginCount + 1) * 2 > -3 && accountType in ["app"]`,
	`filter(licences, len(#) > 3) == [] ?? false`,
	`"é" == displayName[0:1]`,
	`1 / 0 > 1`,
	`emailDomain == "example.com" || !("key.com" != emailDomain) && emailDomain != ""`,
	`30 < daysSinceCreated && !(daysSinceLastLogin <= 90) || daysSinceLastActive >= -2 || loginCount == 3`,
	`!inAnyGroup("developers", "z07") && (inAllGroups("z01") || !hasLicence("jira-software") || inGroup(name))`,
	`!(neverLoggedIn ? !createdKnown : lastActiveKnown) || !(active || emailKnown) == loginCountKnown`,
	`created < lastLogin || now >= created && lastLogin != now`,
}

// FuzzCompile checks that no source makes Compile or Explain panic.
func FuzzCompile(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		p, err := Compile(src)
		if err != nil {
			if p != nil {
				t.Fatal("program with error")
			}
			return
		}
		_ = p.Needs()
		_ = p.Explain(&sampleUsers(time.Unix(0, 0))[5], time.Unix(1e9, 0)).String()
	})
}

// FuzzMatch checks that evaluation never panics, that a runtime error
// never matches, that Explain agrees with Match, and that the fast path
// agrees with expr's VM.
func FuzzMatch(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, uint8(i), int64(1_773_000_000), uint8(i))
	}
	f.Fuzz(func(t *testing.T, src string, which uint8, unix int64, zone uint8) {
		p, err := Compile(src, WithLocation(sampleZones[int(zone)%len(sampleZones)]))
		if err != nil {
			return
		}
		now := time.Unix(unix%(1<<40), 0)
		users := sampleUsers(now)
		u := users[int(which)%len(users)]
		ok, err := p.MatchAt(&u, now)
		if err != nil && ok {
			t.Fatal("matched with an error")
		}
		if ex := p.Explain(&u, now); ex.Matched != ok {
			t.Fatalf("Explain says %v, Match %v", ex.Matched, ok)
		}
		if p.fast != nil {
			slow, err := matchVM(p, u, now)
			if err == nil && slow != ok {
				t.Fatalf("fast path %v, VM %v", ok, slow)
			}
		}
	})
}
