package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/cratewatch/cratewatch/malware"
)

func init() {
	var (
		rulesDir string
		asJSON   bool
	)
	rules := &cobra.Command{
		Use:   "rules",
		Short: "List and test the malware scanner's rules",
		Long: `The scanner's rules are TOML files (format: docs/rules.md). The built-in ones are embedded in
the binary; --rules DIR adds the *.toml files of DIR (a rule with a built-in id replaces it).`,
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "List the rules: id, kind, severity, source and description",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			rs, err := loadRuleSet(rulesDir)
			if err != nil {
				return err
			}
			all := append(append([]*malware.Rule{}, rs.Rules...), malware.MetaRules()...)
			if asJSON {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(all)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tKIND\tSEVERITY\tSOURCE\tDESCRIPTION")
			for _, r := range all {
				kind := r.Kind
				if r.Capability != "" {
					kind += ":" + r.Capability
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, kind, r.Severity, r.Source, r.Description)
			}
			return tw.Flush()
		},
	}
	test := &cobra.Command{
		Use:   "test",
		Short: "Run every rule's positive and negative examples",
		Long:  "test scans each rule's examples (small crates built in memory) and checks the rule fires on the positive ones only. Exit status 1 when one fails.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			rs, err := loadRuleSet(rulesDir)
			if err != nil {
				return err
			}
			res := malware.RunTests(rs)
			failed := 0
			w := cmd.OutOrStdout()
			for _, r := range res {
				if r.Pass() {
					continue
				}
				failed++
				why := fmt.Sprintf("expected match=%v, got %v", r.Expect, r.Got)
				if r.Err != "" {
					why = r.Err
				}
				fmt.Fprintf(w, "FAIL %s: %s: %s\n", r.Rule, r.Test, why)
			}
			untested := []string{}
			for _, r := range rs.Rules {
				if len(r.Tests) == 0 {
					untested = append(untested, r.ID)
				}
			}
			fmt.Fprintf(w, "%d rules, %d tests, %d failed\n", len(rs.Rules), len(res), failed)
			if len(untested) > 0 {
				fmt.Fprintf(w, "rules without tests: %s\n", strings.Join(untested, ", "))
			}
			if failed > 0 {
				return fmt.Errorf("%d rule test(s) failed", failed)
			}
			return nil
		},
	}
	rules.PersistentFlags().StringVar(&rulesDir, "rules", "", "directory of extra *.toml rule files")
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	rules.AddCommand(list, test)
	rootCmd.AddCommand(rules)
}
