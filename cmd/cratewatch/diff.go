package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cratewatch/cratewatch/internal/store"
	"github.com/cratewatch/cratewatch/malware"
)

func init() {
	var (
		dir, rulesDir, flagged string
		asJSON, history        bool
	)
	cmd := &cobra.Command{
		Use:   "diff OLD NEW",
		Short: "Compare two versions of a crate and score only what changed",
		Long: `diff compares two versions of a crate: OLD and NEW are .crate files or crate directories, or
CRATE@VERSION looked up in --dir as CRATE-VERSION.crate or CRATE-VERSION/. It reports a new build
script, new capabilities per context, added/removed/changed dependencies, manifest changes
(repository, homepage, authors, links, proc-macro...) and the threat findings the old version did
not have, then scores the change alone.

Added dependencies are checked when possible: --dir also serves to find and scan them (one found
malicious flags the change), --flagged NAME,... names crates known to be malicious, and --history
asks the store (--db) whether they are themselves new (at most 2 versions, or first seen in the
last 30 days).

Exit status: 0 clean change, 2 suspicious, 3 malicious, 1 on error.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			rs, err := loadRuleSet(rulesDir)
			if err != nil {
				return err
			}
			known := map[string]bool{}
			for _, n := range strings.Split(flagged, ",") {
				if n = strings.TrimSpace(n); n != "" {
					known[n] = true
				}
			}
			s := malware.NewScanner(rs, malware.Options{})
			var fromDir func(string) (string, bool)
			if dir != "" {
				fromDir = s.DirFlagger(dir)
			}
			s = malware.NewScanner(rs, malware.Options{Flagged: func(name string) (string, bool) {
				if known[name] {
					return "named by --flagged", true
				}
				if fromDir != nil {
					return fromDir(name)
				}
				return "", false
			}})
			var crates [2]string
			for i, a := range args {
				if crates[i], err = resolveCrateArg(a, dir); err != nil {
					return err
				}
			}
			old, err := malware.OpenCrate(crates[0])
			if err != nil {
				return err
			}
			new, err := malware.OpenCrate(crates[1])
			if err != nil {
				return err
			}
			var hist malware.History
			if history {
				st, err := openStore(cmd)
				if err != nil {
					return err
				}
				defer st.Close()
				hist = storeHistory{st}
			}
			d, err := s.Diff(cmd.Context(), old, new, hist, time.Now())
			if err != nil {
				return err
			}
			if asJSON {
				if err := json.NewEncoder(cmd.OutOrStdout()).Encode(d); err != nil {
					return err
				}
			} else if err := d.WriteText(cmd.OutOrStdout()); err != nil {
				return err
			}
			switch d.Verdict {
			case malware.Malicious:
				return &exitError{exitMalicious, fmt.Errorf("%s", "the change is malicious")}
			case malware.Suspicious:
				return &exitError{exitSuspicious, fmt.Errorf("%s", "the change is suspicious")}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "directory of NAME-VERSION.crate files or directories (for CRATE@VERSION and dependencies)")
	cmd.Flags().StringVar(&rulesDir, "rules", "", "directory of extra *.toml rule files")
	cmd.Flags().StringVar(&flagged, "flagged", "", "comma-separated crates known to be malicious")
	cmd.Flags().BoolVar(&history, "history", false, "look added dependencies up in the store (--db)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	rootCmd.AddCommand(cmd)
}

// resolveCrateArg turns CRATE@VERSION into a path under dir; anything else is a path.
func resolveCrateArg(a, dir string) (string, error) {
	name, ver, ok := strings.Cut(a, "@")
	if !ok || strings.ContainsAny(a, `/\`) {
		return a, nil
	}
	if dir == "" {
		return "", fmt.Errorf("%s: CRATE@VERSION needs --dir", a)
	}
	return malware.FindCrate(dir, name, ver)
}

// storeHistory answers malware.History from the store.
type storeHistory struct{ st store.Store }

func (h storeHistory) CrateAge(ctx context.Context, name string) (int, time.Time, bool, error) {
	c, err := h.st.Crate(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return 0, time.Time{}, false, nil
	}
	if err != nil {
		return 0, time.Time{}, false, err
	}
	return len(c.Versions), c.FirstSeen, true, nil
}
