package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/cratewatch/cratewatch/internal/store"
	"github.com/cratewatch/cratewatch/rustsrc"
)

func init() {
	report := &cobra.Command{
		Use:   "report",
		Short: "Summarise analysis results over a corpus",
	}
	var htmlOut string
	ffi := &cobra.Command{
		Use:   "ffi [FACTS.jsonl...]",
		Short: `"Where is the C?": FFI, native code, build scripts and unsafe across analysed crates`,
		Long: `report ffi reads the facts 'cratewatch analyze' saved in the store (or, given files, the JSON
lines written by 'cratewatch analyze --out') and prints the share of
crates with FFI, extern blocks, #[link], links keys, -sys names, build scripts and their native
tools, bundled C/C++/assembly, unsafe code, and the crates with the most foreign functions.
With --html FILE it also writes a self-contained HTML page with charts.`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var recs []rustsrc.Record
			if len(args) == 0 {
				st, err := openStore(cmd)
				if err != nil {
					return err
				}
				defer st.Close()
				err = st.ScanFacts(cmd.Context(), rustsrc.FactsKind, func(f store.Fact) error {
					var r rustsrc.Record
					if err := json.Unmarshal(f.Data, &r); err != nil {
						return fmt.Errorf("stored facts of %s: %w", f.Input, err)
					}
					recs = append(recs, r)
					return nil
				})
				if err != nil {
					return err
				}
				if len(recs) == 0 {
					return fmt.Errorf("the store (%s) has no analysed crates: run 'cratewatch analyze' first", dbURL)
				}
			}
			for _, a := range args {
				f, err := os.Open(a)
				if err != nil {
					return err
				}
				err = rustsrc.ReadRecords(f, a, func(r rustsrc.Record) error { recs = append(recs, r); return nil })
				f.Close()
				if err != nil {
					return err
				}
			}
			r := rustsrc.Summarize(recs)
			if err := r.WriteText(cmd.OutOrStdout()); err != nil {
				return err
			}
			if htmlOut == "" {
				return nil
			}
			f, err := os.Create(htmlOut)
			if err != nil {
				return err
			}
			if err := r.WriteHTML(f); err != nil {
				f.Close()
				return fmt.Errorf("writing %s: %w", htmlOut, err)
			}
			return f.Close()
		},
	}
	ffi.Flags().StringVar(&htmlOut, "html", "", "also write the report as a self-contained HTML page to this file")
	report.AddCommand(ffi)
	rootCmd.AddCommand(report)
}
