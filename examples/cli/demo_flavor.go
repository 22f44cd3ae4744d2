package main

import (
	"os"

	"github.com/seatwarden/seatwarden/usermgmt"
)

// pickDemoFlavor makes --demo without --flavor run the Cloud fake when
// every site of the policy files is Cloud (a Cloud-only example such as
// never-logged-in-30-days.yaml), before the fake starts. The files are
// read with every variable standing for a placeholder: only their sites'
// flavours matter here; Load reads them for real afterwards.
func (a *app) pickDemoFlavor(paths []string) {
	if !a.g.demo || a.g.flavor != "" || a.fake != nil {
		return
	}
	cloud := 0
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return
		}
		f, err := usermgmt.Parse(data, usermgmt.YAML, usermgmt.WithLookupEnv(func(string) (string, bool) {
			return "https://placeholder.invalid", true
		}))
		if err != nil || len(f.File().Sites) == 0 {
			return
		}
		for _, s := range f.File().Sites {
			if s.Flavor != "cloud" {
				return
			}
		}
		cloud++
	}
	if cloud > 0 {
		a.g.flavor = "cloud"
	}
}
