package advisory

// Summary counts what a set of advisories holds.
type Summary struct {
	Advisories    int            `json:"advisories"`
	Packages      int            `json:"packages"`
	Withdrawn     int            `json:"withdrawn"`
	Informational map[string]int `json:"informational"` // by kind; advisories without one are not counted
	Categories    map[string]int `json:"categories"`
	WithFunctions int            `json:"with_functions"` // advisories naming affected functions
	FunctionPaths int            `json:"function_paths"` // function paths over all advisories
}

// Summarize counts advisories by kind, category and affected functions.
func Summarize(advs []*Advisory) Summary {
	s := Summary{Informational: map[string]int{}, Categories: map[string]int{}}
	pkgs := map[string]bool{}
	for _, a := range advs {
		s.Advisories++
		pkgs[a.Package] = true
		if a.Withdrawn != "" {
			s.Withdrawn++
		}
		if a.Informational != "" {
			s.Informational[a.Informational]++
		}
		for _, c := range a.Categories {
			s.Categories[c]++
		}
		if n := len(a.Affected.Functions); n > 0 {
			s.WithFunctions++
			s.FunctionPaths += n
		}
	}
	s.Packages = len(pkgs)
	return s
}
