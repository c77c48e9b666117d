package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/cratewatch/cratewatch/internal/progress"
	"github.com/cratewatch/cratewatch/malware"
	"github.com/cratewatch/cratewatch/rustsrc"
	"github.com/cratewatch/cratewatch/typosquat"
)

// Exit codes of scan and diff.
const (
	exitSuspicious = 2
	exitMalicious  = 3
)

func init() {
	var (
		format, rulesDir, corpusFile string
		asJSON, summary              bool
		jobs                         int
	)
	cmd := &cobra.Command{
		Use:   "scan FILE|DIR...",
		Short: "Scan crates for malicious code, statically, with evidence",
		Long: `scan reads each crate (a .crate file, a crate directory, or a directory of those) without
building or running anything, finds capabilities (network, process execution, files, environment,
dynamic loading, FFI) and threat indicators, scores them by context (build script, proc-macro,
library, binary, tests) and prints a verdict with the evidence: clean, suspicious or malicious.

Crates of one run that depend on a crate of the run rated malicious are flagged too.

--format text (default), json (one report per line) or sarif (SARIF 2.1.0, one run).
--rules DIR adds the *.toml rules of DIR to the built-in ones (same id: replaces it).
--typosquat-corpus FILE checks names against a ranked list of popular crates
(like ../shared/data/top-crates-2024-03.csv). --summary prints verdict counts and timings.

Exit status: 0 all clean, 2 at least one suspicious, 3 at least one malicious, 1 on error
(an input that cannot be read, when nothing worse was found).`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if asJSON {
				format = "json"
			}
			if !slices.Contains([]string{"text", "json", "sarif"}, format) {
				return fmt.Errorf("--format %q: want text, json or sarif", format)
			}
			rs, err := loadRuleSet(rulesDir)
			if err != nil {
				return err
			}
			opts := malware.Options{}
			if corpusFile != "" {
				f, err := os.Open(corpusFile)
				if err != nil {
					return err
				}
				corpus, err := typosquat.ReadRanked(f, corpusFile, 0)
				f.Close()
				if err != nil {
					return err
				}
				if opts.Typosquat, err = typosquat.NewChecker(corpus, typosquat.DefaultConfig()); err != nil {
					return err
				}
			}
			inputs, err := rustsrc.ExpandInputs(args)
			if err != nil {
				return err
			}
			s := malware.NewScanner(rs, opts)
			bar := progress.New("scan", int64(len(inputs)))
			start := time.Now()
			reps, err := s.ScanAll(cmd.Context(), inputs, jobs, func(r *malware.Report) { bar.Add(1, r.Input) })
			bar.Done()
			if err != nil {
				return err
			}
			wall := time.Since(start)
			w := bufio.NewWriter(cmd.OutOrStdout())
			defer w.Flush()
			switch format {
			case "sarif":
				if err := malware.WriteSARIF(w, rs, version, reps); err != nil {
					return err
				}
			case "json":
				enc := json.NewEncoder(w)
				for _, r := range reps {
					if err := enc.Encode(r); err != nil {
						return err
					}
				}
			default:
				for _, r := range reps {
					if summary && r.Error == "" && r.Verdict == malware.Clean {
						continue
					}
					if err := r.WriteText(w); err != nil {
						return err
					}
				}
			}
			if summary {
				writeScanSummary(os.Stderr, reps, wall)
			}
			return scanExit(reps)
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text, json or sarif")
	cmd.Flags().BoolVar(&asJSON, "json", false, "same as --format json")
	cmd.Flags().StringVar(&rulesDir, "rules", "", "directory of extra *.toml rule files")
	cmd.Flags().StringVar(&corpusFile, "typosquat-corpus", "", "ranked list of popular crates for the typosquat signal")
	cmd.Flags().BoolVar(&summary, "summary", false, "text output: skip clean crates; print counts and timings to stderr")
	cmd.Flags().IntVarP(&jobs, "jobs", "j", 0, "crates scanned in parallel (0: one per CPU)")
	rootCmd.AddCommand(cmd)
}

func loadRuleSet(dir string) (*malware.RuleSet, error) {
	rs, err := malware.Builtin()
	if err != nil || dir == "" {
		return rs, err
	}
	extra, err := malware.LoadRules(os.DirFS(dir), ".")
	if err != nil {
		return nil, fmt.Errorf("--rules %s: %w", dir, err)
	}
	return malware.NewRuleSet(malware.Merge(rs.Rules, extra))
}

// scanExit turns the worst verdict into the exit status.
func scanExit(reps []*malware.Report) error {
	worst, failed := malware.Clean, 0
	for _, r := range reps {
		if r.Error != "" {
			failed++
			continue
		}
		worst = max(worst, r.Verdict)
	}
	switch {
	case worst == malware.Malicious:
		return &exitError{exitMalicious, fmt.Errorf("%s", "malicious crate(s) found")}
	case worst == malware.Suspicious:
		return &exitError{exitSuspicious, fmt.Errorf("%s", "suspicious crate(s) found")}
	case failed > 0:
		return fmt.Errorf("%d input(s) could not be scanned", failed)
	}
	return nil
}

func writeScanSummary(w io.Writer, reps []*malware.Report, wall time.Duration) {
	var counts [3]int
	failed := 0
	var secs []float64
	for _, r := range reps {
		if r.Error != "" {
			failed++
			continue
		}
		counts[r.Verdict]++
		secs = append(secs, r.Seconds)
	}
	slices.Sort(secs)
	n := len(reps) - failed
	pct := func(k int) float64 { return 100 * float64(k) / float64(max(n, 1)) }
	fmt.Fprintf(w, "%d crates scanned in %.1fs (%d failed): %d clean, %d suspicious (%.2f%%), %d malicious (%.2f%%)\n",
		n, wall.Seconds(), failed, counts[malware.Clean], counts[malware.Suspicious], pct(counts[malware.Suspicious]),
		counts[malware.Malicious], pct(counts[malware.Malicious]))
	if len(secs) > 0 {
		fmt.Fprintf(w, "per crate: median %.1f ms, p90 %.1f ms, max %.1f ms\n",
			1000*secs[len(secs)/2], 1000*secs[len(secs)*9/10], 1000*secs[len(secs)-1])
	}
}
