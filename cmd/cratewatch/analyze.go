package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/cratewatch/cratewatch/internal/progress"
	"github.com/cratewatch/cratewatch/rustsrc"
)

func init() {
	var (
		asJSON, noStore, force bool
		out                    string
		jobs                   int
	)
	cmd := &cobra.Command{
		Use:   "analyze DIR|CRATEFILE...",
		Short: "Parse crates' Rust source and print per-crate facts (modules, unsafe, FFI)",
		Long: `analyze reads crates statically (nothing is built or run) and prints per-crate facts: sizes,
module tree, items, calls, unsafe code, and the FFI picture (extern blocks, #[link], links key,
-sys naming, build-script tools, bundled C/C++/assembly). An argument is a crate directory, a
.crate file, or a directory of those.

The facts are saved in the store (--db) as they come, and inputs the store already has facts
for are skipped (--force redoes them), so an interrupted run resumes where it stopped;
'cratewatch report ffi' summarises them. With --out FILE the facts are also appended to FILE as
JSON lines (inputs already in FILE are skipped too); --no-store leaves the store alone.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			inputs, err := rustsrc.ExpandInputs(args)
			if err != nil {
				return err
			}
			// Inputs are kept as absolute paths so a resumed run recognises them from anywhere.
			for i, in := range inputs {
				if abs, err := filepath.Abs(in); err == nil {
					inputs[i] = abs
				}
			}
			done := map[string]bool{}
			var saver *factSaver
			if !noStore {
				st, err := openStore(cmd)
				if err != nil {
					return err
				}
				defer st.Close()
				if !force {
					if done, err = st.FactInputs(cmd.Context(), rustsrc.FactsKind); err != nil {
						return err
					}
				}
				saver = &factSaver{st: st, kind: rustsrc.FactsKind}
			}
			var sink *os.File
			if out != "" {
				f, err := os.Open(out)
				switch {
				case err == nil:
					err = rustsrc.ReadRecords(f, out, func(r rustsrc.Record) error { done[r.Input] = true; return nil })
					f.Close()
					if err != nil {
						return err
					}
				case !errors.Is(err, fs.ErrNotExist):
					return err
				}
				if sink, err = os.OpenFile(out, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644); err != nil {
					return err
				}
				defer sink.Close()
			}
			w := bufio.NewWriter(cmd.OutOrStdout())
			defer w.Flush()
			bar := progress.New("analyze", int64(len(inputs)-len(done)))
			failed := 0
			err = rustsrc.AnalyzeAll(cmd.Context(), inputs, jobs, rustsrc.DefaultCrateLimits(),
				func(in string) bool { return done[in] },
				func(r rustsrc.Record) {
					bar.Add(1, r.Input)
					if r.Error != "" {
						failed++
						fmt.Fprintln(os.Stderr, "cratewatch analyze:", r.Error)
					}
					if saver != nil {
						var name, vers string
						if r.Facts != nil {
							name, vers = r.Facts.Name, r.Facts.Version
						}
						saver.add(cmd.Context(), r.Input, name, vers, r)
					}
					if sink != nil {
						b, _ := json.Marshal(r)
						if _, err := sink.Write(append(b, '\n')); err != nil {
							fmt.Fprintln(os.Stderr, "cratewatch analyze:", out+":", err)
						}
						return
					}
					switch {
					case asJSON:
						b, _ := json.Marshal(r)
						w.Write(append(b, '\n'))
					case r.Facts != nil:
						r.Facts.WriteText(w)
					}
				})
			bar.Done()
			if saver != nil {
				if serr := saver.flush(cmd.Context()); err == nil {
					err = serr
				}
			}
			if err != nil {
				return err
			}
			if failed > 0 {
				return &exitError{code: 2, err: fmt.Errorf("%d of %d inputs could not be analysed", failed, len(inputs)-len(done))}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON record per crate")
	cmd.Flags().StringVar(&out, "out", "", "append JSON records to this file and skip inputs already in it")
	cmd.Flags().IntVarP(&jobs, "jobs", "j", 0, "crates analysed in parallel (default: all cores)")
	cmd.Flags().BoolVar(&noStore, "no-store", false, "do not save facts in the store")
	cmd.Flags().BoolVar(&force, "force", false, "analyse inputs the store already has facts for")
	rootCmd.AddCommand(cmd)
}
