package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
)

func metWord(ok bool) string {
	if ok {
		return "MET"
	}
	return "NOT MET"
}

// Print writes the result as a table.
func (r *Result) Print(w io.Writer) {
	fmt.Fprintf(w, "tdkt bench: %s system, API %s, Temporal %s\n", r.Mode, r.API, r.Temporal)
	fmt.Fprintf(w, "N=%d C=%d K(floor)=%d K(engine)=%d warm-up=%d, %d CPUs, %s\n\n", r.N, r.C, r.KFloor, r.KEngine, r.Warmup, r.CPUs, r.Go)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tcompleted\tfailed\tworkflows/s\tsteps/s\tstep p50 ms\tstep p99 ms\tstart p50 ms\tstart p99 ms\t")
	for _, p := range []struct {
		name string
		r    PhaseResult
	}{{"floor (BenchFloor)", r.Floor}, {"engine (HTTP)", r.Engine}} {
		fmt.Fprintf(tw, "%s\t%d/%d\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t\n", p.name, p.r.Completed, p.r.Workflows, p.r.Failed,
			p.r.WorkflowsPerSec, p.r.StepsPerSec, p.r.Step.P50, p.r.Step.P99, p.r.Start.P50, p.r.Start.P99)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nengine step latency by action:")
	for _, st := range enginePath {
		a := r.Engine.ByAction[string(st.action)]
		fmt.Fprintf(w, "  %s (%s) p50 %.1f p99 %.1f ms;", st.action, st.who, a.P50, a.P99)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "engine/floor: steps/s %.2f, p50 %.2f, p99 %.2f; submission p50 / floor start p50 %.2f\n",
		r.Ratios.StepsPerSec, r.Ratios.P50, r.Ratios.P99, r.Ratios.StartP50)
	if f, e := r.Floor.CPUPerStep, r.Engine.CPUPerStep; f != nil && e != nil {
		fmt.Fprintf(w, "CPU per step, ms: floor Temporal %.1f, PostgreSQL %.1f, tdkt %.1f; engine Temporal %.1f, PostgreSQL %.1f, tdkt %.1f (API, worker and the clients)\n",
			f.Temporal, f.PostgreSQL, f.TDKT, e.Temporal, e.PostgreSQL, e.TDKT)
	}
	ra := r.ReadAfterAction
	fmt.Fprintf(w, "read after action: %d checks, %d showed the new stage on the first read, worst delay %.1f ms (list read p50 %.1f ms, p99 %.1f ms)\n",
		ra.Checks, ra.Immediate, ra.WorstDelayMs, ra.Read.P50, ra.Read.P99)
	fmt.Fprintln(w, "\ngoals:")
	for _, g := range r.Goals {
		fmt.Fprintf(w, "  %-30s %-6s  %8.2f  %s\n", g.Name, g.Target, g.Value, metWord(g.Met))
	}
}

// WriteJSON writes v as indented JSON.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode result: %w", err)
	}
	return nil
}
