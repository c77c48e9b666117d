package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/cratewatch/cratewatch/index"
	"github.com/cratewatch/cratewatch/internal/ingest"
	"github.com/cratewatch/cratewatch/internal/progress"
	"github.com/spf13/cobra"
)

func init() {
	var indexPath, namesFile string
	var asJSON, verbose bool
	cmd := &cobra.Command{
		Use:   "ingest --index PATH|URL",
		Short: "Load a registry index into the store (idempotent, resumable)",
		Long: `Load crates, versions, dependencies, checksums, yanked state and publish times from a
registry index into the store. The index is a local directory (a git checkout), a .tar.gz
of one, or a sparse HTTP index URL (https://..., or sparse+https://...).

Re-running on an unchanged index writes nothing; a changed crate file updates only that
crate and records yank flips with the time they were seen. Every batch is one transaction,
so an interrupted ingest resumes where it stopped.

A sparse index cannot be listed: it refreshes the crates the store already knows plus the
names in --names FILE (one per line).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if indexPath == "" {
				return fmt.Errorf("--index is required (a directory, a .tar.gz or a sparse index URL)")
			}
			st, err := openStore(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			start := time.Now()
			var res *ingest.Result
			bar := progress.New("ingest", 0)
			opt := ingest.Options{Progress: bar}
			if strings.HasPrefix(indexPath, "http://") || strings.HasPrefix(indexPath, "https://") || strings.HasPrefix(indexPath, "sparse+") {
				names, err := sparseNames(cmd, namesFile)
				if err != nil {
					return err
				}
				sp := &index.Sparse{BaseURL: indexPath, UserAgent: "cratewatch/" + version}
				res, err = ingest.RunSparse(cmd.Context(), st, sp, names, opt)
				bar.Done()
				if err != nil {
					return err
				}
			} else {
				src, err := index.Open(indexPath)
				if err != nil {
					return err
				}
				res, err = ingest.Run(cmd.Context(), st, src, opt)
				bar.Done()
				if err != nil {
					return err
				}
			}
			elapsed := time.Since(start)
			if asJSON {
				return printJSON(cmd, struct {
					*ingest.Result
					Errors  []string `json:"errors"`
					Seconds float64  `json:"seconds"`
				}{res, res.ErrorStrings(), elapsed.Seconds()})
			}
			w := cmd.OutOrStdout()
			c := res.Changes
			fmt.Fprintf(w, "ingested %d crate files in %s: %d unchanged, %d written\n", res.Files, elapsed.Round(time.Millisecond), res.Unchanged, c.Crates)
			fmt.Fprintf(w, "versions: %d added, %d updated, %d removed; %d yank flips; %d crates removed\n",
				c.VersionsAdded, c.VersionsUpdated, c.VersionsRemoved, c.YankFlips, res.Removed)
			if res.BadLines > 0 {
				fmt.Fprintf(w, "%d malformed lines or files skipped:\n", res.BadLines)
				n := len(res.Errors)
				if !verbose {
					n = min(n, 10)
				}
				for _, e := range res.Errors[:n] {
					fmt.Fprintf(w, "  %v\n", e)
				}
				if n < res.BadLines {
					fmt.Fprintf(w, "  ... and %d more (--verbose or --json shows up to 1000)\n", res.BadLines-n)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&indexPath, "index", "", "index: directory, .tar.gz, or sparse index URL")
	cmd.Flags().StringVar(&namesFile, "names", "", "with a sparse index: file of crate names to fetch, one per line")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "list every malformed line kept")
	rootCmd.AddCommand(cmd)
}

// sparseNames is the crates to refresh from a sparse index: those the store knows plus a file's.
func sparseNames(cmd *cobra.Command, file string) ([]string, error) {
	st, err := openStore(cmd)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	states, err := st.IndexStates(cmd.Context())
	if err != nil {
		return nil, err
	}
	set := make(map[string]bool, len(states))
	for n := range states {
		set[n] = true
	}
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for line := 1; sc.Scan(); line++ {
			n := strings.TrimSpace(sc.Text())
			if n == "" || strings.HasPrefix(n, "#") {
				continue
			}
			if err := index.ValidName(n); err != nil {
				return nil, fmt.Errorf("%s line %d: %w", file, line, err)
			}
			set[strings.ToLower(n)] = true
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
	}
	if len(set) == 0 {
		return nil, fmt.Errorf("a sparse index cannot be listed: give crate names with --names FILE")
	}
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	return names, nil
}
