package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/cratewatch/cratewatch/advisory"
	"github.com/cratewatch/cratewatch/callgraph"
)

func init() {
	var (
		gf         cgFlags
		all        bool
		format     string
		advisories string
	)
	cmd := &cobra.Command{
		Use:   "reach RUSTSEC-ID|--all",
		Short: "Which crate versions reach an advisory's affected functions, and which merely depend on a vulnerable version",
		Long: `For a RustSec advisory with affected functions (or --all of them whose crate is in the
graph), list the crate versions with a call path to an affected function of a vulnerable version,
with one shortest path, and those that depend on a vulnerable version without one.
Formats: json, sarif (SARIF 2.1.0), openvex (affected / not_affected with
vulnerable_code_not_in_execute_path). Advisories come from the store unless --advisories names a
database (directory, .tar.gz or file).`,
		Args: func(cmd *cobra.Command, args []string) error {
			if all && len(args) == 0 || !all && len(args) == 1 {
				return nil
			}
			return fmt.Errorf("give one advisory ID or --all")
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			var advs []*advisory.Advisory
			if advisories != "" {
				res, err := advisory.LoadPath(advisories)
				if err != nil {
					return err
				}
				advs = res.Advisories
			} else {
				var err error
				if advs, err = storedAdvisories(cmd); err != nil {
					return err
				}
			}
			g, err := gf.graph(cmd)
			if err != nil {
				return err
			}
			var results []*callgraph.AdvisoryReach
			for _, a := range advs {
				switch {
				case !all && a.ID != args[0]:
					continue
				case all && (len(a.Affected.Functions) == 0 || a.Withdrawn != "" || len(g.CratesNamed(a.Package)) == 0):
					continue
				}
				results = append(results, g.ReachAdvisory(a))
			}
			if !all && len(results) == 0 {
				return &exitError{2, fmt.Errorf("advisory %s not found", args[0])}
			}
			w := cmd.OutOrStdout()
			switch format {
			case "json":
				return callgraph.WriteJSON(w, results)
			case "sarif":
				return callgraph.WriteSARIF(w, results)
			case "openvex":
				return callgraph.WriteOpenVEX(w, results, time.Now())
			}
			return fmt.Errorf("unknown --format %q (json, sarif, openvex)", format)
		},
	}
	gf.register(cmd)
	cmd.Flags().BoolVar(&all, "all", false, "every advisory with affected functions whose crate is in the graph")
	cmd.Flags().StringVar(&format, "format", "json", "json, sarif or openvex")
	cmd.Flags().StringVar(&advisories, "advisories", "", "advisory database to read instead of the store")
	rootCmd.AddCommand(cmd)
}
