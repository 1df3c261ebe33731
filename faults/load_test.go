package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"

	"tdkt/domain"
	"tdkt/workflows"
)

// award is decided by the province without council or notice: its path is
// submit → accept → approve → decide, the three human steps of issue 6.
const award = "BK_UBND_TINH"

// step is one human action of the path.
type step struct {
	action domain.Action
	who    string
	next   domain.Stage
}

// documents are the kinds award requires: attached after the submission,
// since accept needs every one (DOMAIN.md Rules).
var documents = func() []domain.DocumentKind {
	a, _ := domain.AwardByCode(award)
	return domain.RequiredDocuments(a, domain.ProcedureRegular)
}()

var path = []step{
	{domain.ActAccept, asOff, domain.Appraisal},
	{domain.ActApprove, asOff, domain.Decision},
	{domain.ActDecide, asChair, domain.Awarded},
}

// dossierRun is one dossier driven through the path by the load.
type dossierRun struct {
	n        int
	key      string // Idempotency-Key of its submission
	id       string
	next     int   // 0 = submit, 1..len(documents) = attach, then path; len(documents)+len(path)+1 = done
	version  int64 // last version seen
	accepted []domain.Action
	// byCheck counts actions counted as accepted because the dossier showed
	// their effect after a 409/412 to a retry of a possibly applied attempt.
	byCheck int
	err     error
}

func (l *load) done(r *dossierRun) bool { return r.next > len(documents)+len(l.path) }

// load drives n dossiers, breadth first (every dossier advances one step
// before any takes two), so that a fault lands while they are all mid-path.
type load struct {
	// path is the steps each dossier takes after its documents (the
	// global path, or a prefix of it).
	path []step
	// award is what the dossiers propose (the global award unless set).
	award    string
	name     string
	campaign string
	api      *api
	runs     []*dossierRun
	accepted atomic.Int64 // actions accepted so far, submissions included
	byCheck  atomic.Int64
	retries  atomic.Int64
	// submitted and finished count dossiers; their difference is how many
	// are mid-path.
	submitted, finished atomic.Int64
	// someID is the id of a submitted dossier, for probes.
	someID atomic.Value
}

func newLoad(s *stack, name string, n int, obs *observed) *load {
	campaign := fmt.Sprintf("faults-%s-%d", name, time.Now().UnixNano())
	l := &load{name: name, campaign: campaign, api: s.client(obs), path: path, award: award}
	for i := 0; i < n; i++ {
		l.runs = append(l.runs, &dossierRun{n: i, key: fmt.Sprintf("%s-%04d", campaign, i)})
	}
	return l
}

// run drives every dossier to the end with conc concurrent clients, until
// all are done or ctx ends.
func (l *load) run(ctx context.Context, conc int) {
	queue := make(chan *dossierRun, len(l.runs))
	for _, r := range l.runs {
		queue <- r
	}
	var left sync.WaitGroup
	left.Add(len(l.runs))
	go func() { left.Wait(); close(queue) }()
	var wg sync.WaitGroup
	for i := 0; i < conc; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range queue {
				if err := l.advance(ctx, r); err != nil {
					r.err = err
					left.Done()
					continue
				}
				if l.done(r) {
					l.finished.Add(1)
					left.Done()
				} else {
					queue <- r
				}
			}
		}()
	}
	wg.Wait()
}

// advance takes the dossier's next step, retrying through outages.
func (l *load) advance(ctx context.Context, r *dossierRun) error {
	if r.next == 0 {
		return l.submit(ctx, r)
	}
	if r.next <= len(documents) {
		return l.attach(ctx, r, documents[r.next-1])
	}
	return l.act(ctx, r, l.path[r.next-1-len(documents)])
}

// attach uploads a document of kind with an Idempotency-Key of its own
// (the dossier's key and the kind): after an answer that may hide a stored
// one (a 503, a broken connection) it simply sends the same upload again,
// and the API attaches it once (a repeat answers 200 with the first
// document).
func (l *load) attach(ctx context.Context, r *dossierRun, kind domain.DocumentKind) error {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("kind", string(kind))
	fw, _ := mw.CreateFormFile("file", string(kind)+".pdf")
	_, _ = fw.Write([]byte("%PDF-1.7\n% faults " + string(kind) + "\n"))
	_ = mw.Close()
	route := "/api/v1/dossiers/" + r.id + "/documents"
	hdr := map[string]string{"Idempotency-Key": r.key + "-" + string(kind)}
	for {
		resp, err := l.api.raw(ctx, http.MethodPost, route, asUnit, buf.Bytes(), mw.FormDataContentType(), hdr)
		if retryable(resp, err) {
			if ctx.Err() != nil {
				return fmt.Errorf("attach %s to %s: gave up: %v (last answer: %v %v)", kind, r.id, ctx.Err(), resp, err)
			}
			l.retries.Add(1)
			pause(ctx, resp, err)
			continue
		}
		if resp.status != http.StatusCreated && resp.status != http.StatusOK {
			return fmt.Errorf("attach %s to %s: %s", kind, r.id, resp)
		}
		if resp.status == http.StatusOK {
			// A repeat found it done: its first attempt had gone through.
			l.byCheck.Add(1)
			r.byCheck++
		}
		version, _ := strconv.ParseInt(strings.Trim(resp.header.Get("ETag"), `"`), 10, 64)
		r.accepted = append(r.accepted, domain.ActAttachDocument)
		if version > r.version {
			r.version = version
		}
		r.next++
		l.accepted.Add(1)
		return nil
	}
}

// submit proposes run r's nominee, one per run of every load (the same
// nominee proposed twice for an award and period is refused).
func (l *load) submit(ctx context.Context, r *dossierRun) error {
	body := map[string]any{"award_code": l.award, "kind": "merit", "campaign": l.campaign, "achievement_period": "2025",
		"nominee": map[string]any{"type": "individual", "name": "Nguyễn Văn Lỗi " + r.key, "position": "Giáo viên",
			"organization": "Trường THPT Phong Thổ"},
		"summary": "Hồ sơ của bộ kiểm thử sự cố"}
	hdr := map[string]string{"Idempotency-Key": r.key}
	for {
		resp, err := l.api.jsonReq(ctx, http.MethodPost, "/api/v1/dossiers", asUnit, body, hdr)
		if retryable(resp, err) {
			if ctx.Err() != nil {
				return fmt.Errorf("submit %s: gave up: %v (last answer: %v %v)", r.key, ctx.Err(), resp, err)
			}
			l.retries.Add(1)
			pause(ctx, resp, err)
			continue
		}
		if resp.status != http.StatusCreated && resp.status != http.StatusOK {
			return fmt.Errorf("submit %s: %s", r.key, resp)
		}
		var v domain.View
		if err := json.Unmarshal(resp.body, &v); err != nil {
			return fmt.Errorf("submit %s: %w", r.key, err)
		}
		if v.Stage != domain.Reception || v.ID == "" {
			return fmt.Errorf("submit %s: answered %s in stage %s", r.key, v.ID, v.Stage)
		}
		r.id, r.version = v.ID, v.Version
		r.accepted = append(r.accepted, domain.ActSubmit)
		r.next++
		l.someID.CompareAndSwap(nil, v.ID)
		l.submitted.Add(1)
		l.accepted.Add(1)
		return nil
	}
}

// act takes one action with If-Match. A 503 or a broken connection may
// hide an action that went through: the retry carries the same If-Match,
// and a 409/412 to it means "look": if the dossier shows the action's
// effect, the action counts as accepted once.
func (l *load) act(ctx context.Context, r *dossierRun, s step) error {
	route := "/api/v1/dossiers/" + r.id + "/actions/" + string(s.action)
	body := map[string]any{"comment": "bộ kiểm thử sự cố"}
	maybe := false // an earlier attempt may have been applied
	for {
		resp, err := l.api.jsonReq(ctx, http.MethodPost, route, s.who, body, ifMatch(r.version))
		switch {
		case retryable(resp, err):
			if ctx.Err() != nil {
				return fmt.Errorf("%s %s: gave up: %v (last answer: %v %v)", s.action, r.id, ctx.Err(), resp, err)
			}
			maybe = true
			l.retries.Add(1)
			pause(ctx, resp, err)
			continue
		case resp.status == http.StatusOK:
			var v domain.View
			if err := json.Unmarshal(resp.body, &v); err != nil {
				return fmt.Errorf("%s %s: %w", s.action, r.id, err)
			}
			if v.Stage != s.next || v.Version <= r.version {
				return fmt.Errorf("%s %s: 200 but stage %s version %d (sent If-Match %d)", s.action, r.id, v.Stage, v.Version, r.version)
			}
			r.accepted = append(r.accepted, s.action)
			r.version = v.Version
			r.next++
			l.accepted.Add(1)
			return nil
		case maybe && (resp.status == http.StatusConflict || resp.status == http.StatusPreconditionFailed):
			v, err := l.api.getView(ctx, r.id, s.who)
			if err != nil {
				return err
			}
			if v.Stage == s.next && v.Version > r.version {
				r.accepted = append(r.accepted, s.action)
				r.byCheck++
				r.version = v.Version
				r.next++
				l.accepted.Add(1)
				l.byCheck.Add(1)
				return nil
			}
			// Not visible yet: the first attempt is still being recorded
			// (or projected), or it was refused. Look again, then retry.
			l.retries.Add(1)
			select {
			case <-ctx.Done():
				return fmt.Errorf("%s %s: gave up: %v; last answer %s, dossier at stage %s version %d", s.action, r.id, ctx.Err(), resp, v.Stage, v.Version)
			case <-time.After(500 * time.Millisecond):
			}
		default:
			return fmt.Errorf("%s %s (If-Match %d): %s", s.action, r.id, r.version, resp)
		}
	}
}

// figures are what a case prints and asserts.
type figures struct {
	started, accepted, byCheck, lost, duplicates, mismatches, unfinished int
	retries                                                              int64
	problems                                                             []string
}

func (f *figures) problem(format string, args ...any) {
	if len(f.problems) < 40 {
		f.problems = append(f.problems, fmt.Sprintf(format, args...))
	}
}

// marksDrained waits, at most 30 s, until no projection mark is left, and
// says how many there were when it began and how long they took. A mark
// may outlive a fan-out by a moment: an activity attempt Temporal gave up
// on (the worker died, or a heartbeat was late) can mark a dossier the
// next attempt already wrote and end without writing it; the reconciler
// clears such a mark once it finds the update completed in the history.
// Any mark left after 30 s is a problem.
func (f *figures) marksDrained(ctx context.Context, s *stack) string {
	start := time.Now()
	first := -1
	for {
		var left int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM projection_pending`).Scan(&left); err != nil {
			f.problem("count the marks: %v", err)
			return ""
		}
		if first < 0 {
			first = left
		}
		if left == 0 {
			if first == 0 {
				return "no mark left"
			}
			return fmt.Sprintf("%d marks left at the end, cleared by the reconciler in %.1f s", first, time.Since(start).Seconds())
		}
		if time.Since(start) > 30*time.Second || ctx.Err() != nil {
			f.problem("%d marks left (of %d at the end) 30 s after the fan-out", left, first)
			return ""
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// appliedOnce checks dossier id after a fan-out (a batch's sign, a
// session's close) sent it action: it ended as ended says ("" when right),
// its history has no gap and holds action exactly once (entry says what
// is wrong with that entry, if anything), and its read model equals its
// workflow. What is wrong goes into f.
func (f *figures) appliedOnce(ctx context.Context, s *stack, a *api, id string, action domain.Action,
	ended func(domain.View) string, entry func(domain.HistoryEntry) string) {
	v, err := a.getView(ctx, id, asAdmin)
	if err != nil {
		f.unfinished++
		f.problem("%s: %v", id, err)
		return
	}
	if why := ended(v); why != "" {
		f.unfinished++
		f.problem("%s: %s", id, why)
	}
	h, err := a.history(ctx, id)
	if err != nil {
		f.problem("%s: %v", id, err)
		return
	}
	n := 0
	for i, e := range h {
		if e.Seq != int64(i+1) {
			f.mismatches++
			f.problem("%s: history has a gap or a duplicate", id)
			break
		}
		if e.Action == action {
			n++
			if why := entry(e); why != "" {
				f.problem("%s: %s", id, why)
			}
		}
	}
	switch {
	case n == 0:
		f.lost++
		f.problem("%s: no %s in its history", id, action)
	case n > 1:
		f.duplicates += n - 1
		f.problem("%s: %s %d times in its history", id, action, n)
	}
	if wv, err := s.queryState(ctx, id); err != nil || viewDiff(v, wv) != "" {
		f.mismatches++
		f.problem("%s: read model and workflow differ: %v %s", id, err, viewDiff(v, wv))
	}
}

// verify checks the end state of every dossier of the load: its final stage,
// every accepted action in its history exactly once, history seq 1..n with n
// the workflow's version, and the read model equal to the workflow's own view.
func (l *load) verify(ctx context.Context, s *stack) *figures {
	f := &figures{retries: l.retries.Load(), byCheck: int(l.byCheck.Load())}
	ids := map[string]bool{}
	for _, r := range l.runs {
		if r.id != "" {
			f.started++
			ids[r.id] = true
		}
		f.accepted += len(r.accepted)
		if r.err != nil {
			f.problem("dossier %d (%s): %v", r.n, r.id, r.err)
		}
	}
	// Every submission made exactly one dossier: the list of the campaign
	// holds the started ones and nothing else.
	listed, err := l.api.listCampaign(ctx, l.campaign)
	if err != nil {
		f.problem("list: %v", err)
	}
	seen := map[string]int{}
	for _, v := range listed {
		seen[v.ID]++
	}
	for id, n := range seen {
		if n > 1 {
			f.duplicates += n - 1
			f.problem("%s listed %d times", id, n)
		}
		if !ids[id] {
			f.duplicates++
			f.problem("%s is in the campaign but no submission was answered with it (a duplicate submission?)", id)
		}
	}
	numbers := map[string]string{}
	for _, r := range l.runs {
		if r.id == "" {
			f.unfinished++
			f.problem("dossier %d (%s) was never submitted", r.n, r.key)
			continue
		}
		l.verifyOne(ctx, s, r, f, seen[r.id] > 0, numbers)
	}
	return f
}

func (l *load) verifyOne(ctx context.Context, s *stack, r *dossierRun, f *figures, listed bool, numbers map[string]string) {
	v, err := l.api.getView(ctx, r.id, asAdmin)
	if err != nil {
		f.unfinished++
		f.lost += len(r.accepted)
		f.problem("%s: %v", r.id, err)
		return
	}
	if v.Stage != domain.Awarded {
		f.unfinished++
		f.problem("%s ended in stage %s, not awarded", r.id, v.Stage)
	}
	if !listed {
		f.mismatches++
		f.problem("%s is not in the list of its campaign", r.id)
	}
	if v.Decision != nil {
		if other, dup := numbers[v.Decision.Number]; dup {
			f.duplicates++
			f.problem("decision number %s issued to both %s and %s", v.Decision.Number, other, r.id)
		}
		numbers[v.Decision.Number] = r.id
	}
	h, err := l.api.history(ctx, r.id)
	if err != nil {
		f.mismatches++
		f.problem("%s: %v", r.id, err)
		return
	}
	count := map[domain.Action]int{}
	var seqs []int64
	for _, e := range h {
		count[e.Action]++
		seqs = append(seqs, e.Seq)
	}
	for i, seq := range seqs {
		if seq != int64(i+1) {
			f.mismatches++
			f.problem("%s: history seqs are %v, not 1..%d (a gap or a duplicate)", r.id, seqs, len(seqs))
			break
		}
	}
	for a, n := range count {
		if a == domain.ActAttachDocument {
			continue // one per kind, counted below
		}
		if n > 1 {
			f.duplicates += n - 1
			f.problem("%s: %s recorded %d times", r.id, a, n)
		}
	}
	kinds := map[domain.DocumentKind]int{}
	for _, e := range h {
		if e.Action == domain.ActAttachDocument && e.Details != nil && e.Details.Document != nil {
			kinds[e.Details.Document.Kind]++
		}
	}
	for k, n := range kinds {
		if n > 1 {
			f.duplicates += n - 1
			f.problem("%s: a %s document attached %d times", r.id, k, n)
		}
	}
	for _, a := range r.accepted {
		if count[a] == 0 {
			f.lost++
			f.problem("%s: accepted %s is not in the history", r.id, a)
		}
	}
	// The workflow's own view, read by query, against the read model.
	wv, err := s.queryState(ctx, r.id)
	if err != nil {
		f.mismatches++
		f.problem("%s: query workflow: %v", r.id, err)
		return
	}
	if diff := viewDiff(v, wv); diff != "" {
		f.mismatches++
		f.problem("%s: read model differs from the workflow: %s", r.id, diff)
	}
	if int64(len(h)) != wv.Version {
		f.mismatches++
		f.problem("%s: %d history entries, workflow at version %d", r.id, len(h), wv.Version)
	}
	if v.Stage.Terminal() {
		if st, err := s.workflowStatus(ctx, r.id); err != nil || st != enums.WORKFLOW_EXECUTION_STATUS_COMPLETED {
			f.mismatches++
			f.problem("%s: dossier %s but workflow %v %v", r.id, v.Stage, st, err)
		}
	}
}

// queryState asks the dossier's workflow for its view (workflows.QueryState),
// retrying while Temporal is still coming back.
func (s *stack) queryState(ctx context.Context, id string) (domain.View, error) {
	var last error
	for {
		qctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		resp, err := s.tc.QueryWorkflow(qctx, workflows.DossierWorkflowID(id), "", workflows.QueryState)
		var v domain.View
		if err == nil {
			err = resp.Get(&v)
		}
		cancel()
		if err == nil {
			return v, nil
		}
		last = err
		select {
		case <-ctx.Done():
			return domain.View{}, fmt.Errorf("%w (last error: %v)", ctx.Err(), last)
		case <-time.After(time.Second):
		}
	}
}

// workflowStatus waits (briefly) for the workflow of a finished dossier to
// close, and returns its status.
func (s *stack) workflowStatus(ctx context.Context, id string) (enums.WorkflowExecutionStatus, error) {
	deadline := time.Now().Add(15 * time.Second)
	for {
		d, err := s.tc.DescribeWorkflowExecution(ctx, workflows.DossierWorkflowID(id), "")
		if err == nil {
			st := d.GetWorkflowExecutionInfo().GetStatus()
			if st != enums.WORKFLOW_EXECUTION_STATUS_RUNNING || time.Now().After(deadline) {
				return st, nil
			}
		} else if time.Now().After(deadline) {
			return 0, err
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// viewDiff names the fields where the read model's view differs from the
// workflow's; allowed_actions are per caller and left out.
func viewDiff(store, wf domain.View) string {
	norm := func(v domain.View) map[string]any {
		v.AllowedActions = nil
		if len(v.Documents) == 0 {
			v.Documents = nil
		}
		if len(v.MissingDocuments) == 0 {
			v.MissingDocuments = nil
		}
		b, _ := json.Marshal(v)
		var m map[string]any
		json.Unmarshal(b, &m)
		return m
	}
	a, b := norm(store), norm(wf)
	var diffs []string
	for k := range a {
		if !reflect.DeepEqual(a[k], b[k]) {
			diffs = append(diffs, fmt.Sprintf("%s: read model %v, workflow %v", k, a[k], b[k]))
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s: only the workflow has %v", k, b[k]))
		}
	}
	sort.Strings(diffs)
	return strings.Join(diffs, "; ")
}

// report prints a case's figures and fails the test on anything but zeros.
func report(t *testing.T, name string, f *figures, took time.Duration, extra string) {
	t.Helper()
	t.Logf("%s: dossiers started %d, actions accepted %d (%d of them confirmed by reading the dossier after a retry), "+
		"actions lost %d, duplicate history entries %d, projection mismatches %d, dossiers not finished %d; "+
		"client retries %d; %s; took %s",
		name, f.started, f.accepted, f.byCheck, f.lost, f.duplicates, f.mismatches, f.unfinished, f.retries, extra,
		took.Round(100*time.Millisecond))
	for _, p := range f.problems {
		t.Errorf("%s: %s", name, p)
	}
	if f.lost != 0 || f.duplicates != 0 || f.mismatches != 0 || f.unfinished != 0 {
		t.Errorf("%s: lost %d, duplicates %d, mismatches %d, unfinished %d: all must be 0", name, f.lost, f.duplicates, f.mismatches, f.unfinished)
	}
}
