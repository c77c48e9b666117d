package callgraph

// Reach is the result of a transitive callers search: for every function that reaches a target,
// its distance and the first edge of one shortest path towards the targets.
type Reach struct {
	g       *Graph
	dist    []int32 // -1: does not reach
	next    []int32 // edge index of the first hop; -1 for the targets themselves
	Targets []int32
	// Order lists the reaching functions (targets excluded) in breadth-first order.
	Order []int32
}

// TransitiveCallers searches backwards from targets over edges of kind maxKind or surer.
func (g *Graph) TransitiveCallers(targets []int32, maxKind EdgeKind) *Reach {
	n := len(g.Fns)
	r := &Reach{g: g, dist: make([]int32, n), next: make([]int32, n), Targets: targets}
	for i := range r.dist {
		r.dist[i] = -1
	}
	q := make([]int32, 0, 64)
	for _, t := range targets {
		if t >= 0 && int(t) < n && r.dist[t] < 0 {
			r.dist[t] = 0
			r.next[t] = -1
			q = append(q, t)
		}
	}
	for i := 0; i < len(q); i++ {
		fn := q[i]
		for _, ei := range g.inOrder[g.inStart[fn]:g.inStart[fn+1]] {
			e := &g.edges[ei]
			if e.Kind > maxKind || r.dist[e.From] >= 0 {
				continue
			}
			r.dist[e.From] = r.dist[fn] + 1
			r.next[e.From] = ei
			q = append(q, e.From)
			r.Order = append(r.Order, e.From)
		}
	}
	return r
}

// Reaches reports whether fn reaches a target (targets reach themselves).
func (r *Reach) Reaches(fn int32) bool { return r.dist[fn] >= 0 }

// Path returns the call path from fn to a target as edges, shortest first hop first.
func (r *Reach) Path(fn int32) []Edge {
	var out []Edge
	for r.dist[fn] > 0 {
		e := r.g.edges[r.next[fn]]
		out = append(out, e)
		fn = e.To
	}
	return out
}

// Approximate reports whether the path from fn uses an approximate or trait edge.
func (r *Reach) Approximate(fn int32) bool {
	for _, e := range r.Path(fn) {
		if e.Kind != EdgeExact {
			return true
		}
	}
	return false
}
