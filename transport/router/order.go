package router

// order appends to buf the member indices of rt in the order they are to be
// tried: as listed for a Failover route; for a Weighted route, drawn by
// weight without replacement (each next transport chosen with probability
// proportional to its weight among those left), then the zero-weight
// backups as listed. Skipping a transport later keeps the others'
// proportions.
func (r *Router) order(rt *route, buf []int) []int {
	if rt.mode != Weighted || len(rt.targets) == 1 {
		for _, t := range rt.targets {
			buf = append(buf, t.member)
		}
		return buf
	}
	var wbuf [8]int
	weights := wbuf[:0]
	total := 0
	for _, t := range rt.targets {
		weights = append(weights, t.weight)
		total += t.weight
	}
	r.rngMu.Lock()
	for total > 0 {
		n := r.rng.IntN(total)
		for i, w := range weights {
			if n < w {
				buf = append(buf, rt.targets[i].member)
				total -= w
				weights[i] = 0
				break
			}
			n -= w
		}
	}
	r.rngMu.Unlock()
	for _, t := range rt.targets {
		if t.weight == 0 {
			buf = append(buf, t.member)
		}
	}
	return buf
}
