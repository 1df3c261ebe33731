package faults

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tdkt/domain"
)

// The sizes of the slow-upload case (issue "Hardening", item 1).
const (
	slowUploads      = 40
	slowDossiers     = 8                      // 5 uploads each, well under the 50 a dossier may hold
	slowFileSize     = 48 << 10               // bytes of each file
	slowStep         = 512                    // bytes sent at a time...
	slowEvery        = 100 * time.Millisecond // ...this often: 5 KB/s, about 10 s a file
	slowAbortEvery   = 8                      // every 8th upload breaks off, four fifths through
	slowReaders      = 8
	quietReadingTime = 8 * time.Second
)

// e. Forty clients upload documents slowly (a few hundred bytes at a time,
// some breaking off near the end) while others read lists and dossiers:
// the reads keep answering, also once every upload is halfway through and
// none has ended (their p99 is printed beside a quiet run's, never
// asserted); every finished upload is stored whole and attached, and a
// broken-off one leaves nothing.
func TestSlowUploads(t *testing.T) {
	s := sys
	s.ensureUp(t)
	ctx, cancel := context.WithTimeout(context.Background(), caseTimeout)
	defer cancel()
	obs := &observed{}
	a := s.client(obs)
	start := time.Now()

	l := newLoad(s, "slow-upload", slowDossiers, obs)
	for _, r := range l.runs {
		if err := l.submit(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	ids := make([]string, len(l.runs))
	for i, r := range l.runs {
		ids[i] = r.id
	}

	quiet := readWhile(ctx, a, ids, func(stop <-chan struct{}) { time.Sleep(quietReadingTime) })

	var (
		mu      sync.Mutex
		results = make([]uploadResult, slowUploads)
		halfway atomic.Int32
		// allIn closes when every upload has sent half its bytes, firstOut
		// when the first one has sent its last or broken off.
		allIn, firstOut = make(chan struct{}), make(chan struct{})
		closeOut        sync.Once
	)
	var window struct{ from, to time.Time }
	loaded := readWhile(ctx, a, ids, func(stop <-chan struct{}) {
		var wg sync.WaitGroup
		for i := 0; i < slowUploads; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res := s.slowUpload(ctx, ids[i%len(ids)], i, func() {
					if halfway.Add(1) == slowUploads {
						mu.Lock()
						window.from = time.Now()
						mu.Unlock()
						close(allIn)
					}
				}, func() {
					closeOut.Do(func() {
						mu.Lock()
						window.to = time.Now()
						mu.Unlock()
						close(firstOut)
					})
				})
				mu.Lock()
				results[i] = res
				mu.Unlock()
			}()
		}
		wg.Wait()
	})

	// What the clients saw.
	var stored, broken int
	for i, r := range results {
		switch {
		case r.aborted:
			broken++
		case r.status != http.StatusCreated:
			t.Errorf("upload %d to %s: %d %v %s", i, r.dossier, r.status, r.err, r.body)
		default:
			stored++
		}
	}
	allInDuring := 0
	select {
	case <-allIn:
		allInDuring = loaded.countBetween(window.from, window.to)
	default:
		t.Errorf("not every upload got halfway")
	}
	t.Logf("slow uploads: %d at %d B every %s (%d KB files), %d stored, %d broken off; readers %d: "+
		"quiet run %s; under the slow uploads %s, %d of them answered while all %d uploads were past halfway and none had ended; took %s",
		slowUploads, slowStep, slowEvery, slowFileSize>>10, stored, broken, slowReaders, quiet, loaded, allInDuring, slowUploads,
		time.Since(start).Round(100*time.Millisecond))
	for _, p := range append(quiet.problems, loaded.problems...) {
		t.Errorf("read: %s", p)
	}
	// Progress, not time: a reader waits for a database connection while
	// slow uploads hold them all.
	if allInDuring < 10*slowReaders {
		t.Errorf("only %d reads answered while the %d uploads were past halfway: the uploads held up the reads", allInDuring, slowUploads)
	}
	for _, e := range obs.fiveXX() {
		t.Errorf("a 5xx other than 503: %s", e)
	}

	// Nothing half-stored: every document row of these dossiers is whole
	// (its chunks add up to its size and hash), attached to its dossier,
	// and one of the uploads answered 201; the broken-off ones left none.
	vctx, vcancel := context.WithTimeout(context.Background(), time.Minute)
	defer vcancel()
	answered := map[string]uploadResult{}
	for _, r := range results {
		if r.status == http.StatusCreated {
			answered[r.doc.ID] = r
		}
	}
	attached := map[string]bool{}
	for _, id := range ids {
		v, err := a.getView(vctx, id, asAdmin)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range v.Documents {
			attached[d.ID] = true
		}
	}
	rows, err := s.db.QueryContext(vctx, `
SELECT d.id, d.dossier_id, d.size, d.sha256, coalesce(sum(length(c.data)), 0), count(c.n),
       coalesce(encode(sha256(string_agg(c.data, ''::bytea ORDER BY c.n)), 'hex'), '')
FROM documents d LEFT JOIN document_chunks c ON c.document_id = d.id
WHERE d.dossier_id = ANY($1) GROUP BY d.id`, "{"+joinIDs(ids)+"}")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var (
			id, dossier, sum, chunkSum string
			size, held, chunks         int64
		)
		if err := rows.Scan(&id, &dossier, &size, &sum, &held, &chunks, &chunkSum); err != nil {
			t.Fatal(err)
		}
		n++
		r, ok := answered[id]
		switch {
		case !ok:
			t.Errorf("document %s of %s (%d bytes) was stored but no upload was answered with it", id, dossier, size)
		case !attached[id]:
			t.Errorf("document %s of %s is stored but not attached to the dossier", id, dossier)
		case size != held || sum != chunkSum || sum != r.sent:
			t.Errorf("document %s of %s is not whole: size %d, chunks hold %d bytes in %d chunks, sha256 %s / %s, sent %s",
				id, dossier, size, held, chunks, sum, chunkSum, r.sent)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != stored {
		t.Errorf("%d document rows for %d uploads answered 201", n, stored)
	}
	for id := range answered {
		if !attached[id] {
			t.Errorf("document %s was answered 201 but is not in its dossier", id)
		}
	}
	t.Logf("slow uploads: %d documents stored, each whole and attached; %d broken-off uploads left nothing", n, broken)
	if t.Failed() {
		_, api := s.children()
		t.Logf("API log (end): %s", api.tail())
	}
}

func joinIDs(ids []string) string {
	var b bytes.Buffer
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(id)
	}
	return b.String()
}

// uploadResult is what one slow upload's client saw.
type uploadResult struct {
	dossier string
	aborted bool // broke off on purpose
	status  int
	body    string
	err     error
	doc     domain.Document
	sent    string // sha256 of the file sent
}

var errBrokeOff = errors.New("the client broke off its upload")

// slowUpload sends one document for dossier id a few hundred bytes at a
// time; halfway runs once half its bytes are out, ended once it has sent
// its last or broken off.
func (s *stack) slowUpload(ctx context.Context, id string, i int, halfway, ended func()) uploadResult {
	file := append([]byte(fmt.Sprintf("%%PDF-1.7\n%% slow upload %d of %s\n", i, id)), bytes.Repeat([]byte{'.'}, slowFileSize)...)
	file = file[:slowFileSize]
	sum := sha256.Sum256(file)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("kind", "khac")
	fw, _ := mw.CreateFormFile("file", fmt.Sprintf("Tài liệu chậm %d.pdf", i))
	fw.Write(file)
	mw.Close()
	res := uploadResult{dossier: id, aborted: i%slowAbortEvery == slowAbortEvery-1, sent: hex.EncodeToString(sum[:])}
	tr := &trickle{b: body.Bytes(), abortAt: -1, halfway: halfway, ended: ended}
	if res.aborted {
		tr.abortAt = body.Len() * 4 / 5
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.baseURL+"/api/v1/dossiers/"+id+"/documents", tr)
	if err != nil {
		res.err = err
		return res
	}
	req.ContentLength = int64(body.Len())
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+s.tokens[asUnit])
	resp, err := httpClient.Do(req)
	if err != nil {
		if !res.aborted || !errors.Is(err, errBrokeOff) {
			res.err = err
		}
		return res
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	res.status, res.body = resp.StatusCode, string(b)
	if res.aborted {
		res.err = fmt.Errorf("a broken-off upload was answered %d", resp.StatusCode)
		res.aborted = false
		return res
	}
	if resp.StatusCode == http.StatusCreated {
		if err := json.Unmarshal(b, &res.doc); err != nil {
			res.err = err
		}
	}
	return res
}

// trickle is a request body sent slowStep bytes every slowEvery, and, when
// abortAt is not -1, broken off there.
type trickle struct {
	b              []byte
	off, abortAt   int
	halfway, ended func()
}

func (t *trickle) Read(p []byte) (int, error) {
	if t.off >= len(t.b) {
		return 0, io.EOF
	}
	if t.abortAt >= 0 && t.off >= t.abortAt {
		t.ended()
		return 0, errBrokeOff
	}
	if t.off > 0 {
		time.Sleep(slowEvery)
	}
	n := copy(p[:min(len(p), slowStep)], t.b[t.off:])
	half := len(t.b) / 2
	if t.off < half && t.off+n >= half {
		defer t.halfway()
	}
	t.off += n
	if t.off >= len(t.b) {
		t.ended()
	}
	return n, nil
}

// reads are the answers readers got: when each came and how long it took.
type reads struct {
	at       []time.Time
	took     []time.Duration
	problems []string
}

func (r *reads) countBetween(from, to time.Time) int {
	n := 0
	for _, at := range r.at {
		if at.After(from) && (to.IsZero() || at.Before(to)) {
			n++
		}
	}
	return n
}

func (r *reads) String() string {
	if len(r.took) == 0 {
		return "no reads"
	}
	d := append([]time.Duration(nil), r.took...)
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	q := func(p float64) time.Duration {
		return d[min(len(d)-1, int(p*float64(len(d))))].Round(100 * time.Microsecond)
	}
	return fmt.Sprintf("%d reads, p50 %s, p99 %s, max %s", len(d), q(0.50), q(0.99), d[len(d)-1].Round(100*time.Microsecond))
}

// readWhile runs slowReaders clients reading the dossier list and single
// dossiers in turn for as long as work runs.
func readWhile(ctx context.Context, a *api, ids []string, work func(stop <-chan struct{})) *reads {
	out := &reads{}
	var mu sync.Mutex
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < slowReaders; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; ; k++ {
				select {
				case <-stop:
					return
				default:
				}
				path, who := "/api/v1/dossiers?limit=50", asAdmin
				if k%2 == 1 {
					path, who = "/api/v1/dossiers/"+ids[(i+k)%len(ids)], asOff
				}
				begin := time.Now()
				r, err := a.raw(ctx, http.MethodGet, path, who, nil, "", nil)
				took := time.Since(begin)
				mu.Lock()
				if err != nil || r.status != http.StatusOK {
					if len(out.problems) < 20 {
						out.problems = append(out.problems, fmt.Sprintf("GET %s after %s: %v %v", path, took.Round(time.Millisecond), r, err))
					}
				} else {
					out.at = append(out.at, time.Now())
					out.took = append(out.took, took)
				}
				mu.Unlock()
				if ctx.Err() != nil {
					return
				}
			}
		}()
	}
	work(stop)
	close(stop)
	wg.Wait()
	return out
}
