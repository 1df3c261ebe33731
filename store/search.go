package store

import (
	"context"
	"strings"
	"sync"
	"time"
)

// Text search (q=) finds the newest dossiers whose search text contains the
// folded query: strpos(search, q) > 0. Two plans do it well, each for its own
// kind of query, and PostgreSQL cannot tell them apart (it knows nothing of
// how often a phrase occurs):
//
//   - a common phrase ("nguyen van", one dossier in 400) is found soonest by
//     reading the newest rows first, (created_at, id, search) straight from
//     the covering index dossiers_created_search_idx, until a page is full;
//   - a rare one ("lo thanh khanh", one in 8,000) by a trigram index. The
//     trigrams of pg_trgm stop at spaces, so a name's words are found
//     apart, each in tens of thousands of rows, and a scan of every trigram
//     of the query reads posting lists over the whole table (34 ms at a
//     million rows). Indexed with the spaces turned into 'z'
//     (dossiers_search_joined_idx), trigrams span the words ("hzk" of
//     "thanh khanh"), and the scan is given only the query's three rarest,
//     which keeps it to short lists (1–3 ms); strpos keeps the answer
//     exact.
//
// Which plan, and which trigrams, is decided from a sample of the search
// texts, taken again every few minutes.

const (
	// searchSampleRows is about how many search texts the sample holds.
	searchSampleRows = 5000
	// searchSampleAge is how long a sample serves before it is taken again.
	searchSampleAge = 10 * time.Minute
	// searchScanRows is a table small enough to be read newest first
	// whatever the text.
	searchScanRows = 20000
	// searchFetchCost is what a row found by the trigram index costs (read
	// from the table at random, rechecked) in rows read from the covering
	// index in order (measured: about 4 µs against 0.25 µs).
	searchFetchCost = 16
	// searchTrigrams is how many of the rarest trigrams the index is given.
	searchTrigrams = 3
	// searchJoin stands for a space in the joined search text: a letter, so
	// that pg_trgm keeps the words together, and none that Vietnamese
	// writes (a collision only costs a row rechecked).
	searchJoin = "z"
)

// searchSample is what the store knows of its search texts.
type searchSample struct {
	mu     sync.Mutex
	cur    *sampled // nil until taken; replaced whole, never changed
	taking bool
}

type sampled struct {
	texts   []string       // the sampled search texts
	trigram map[string]int // in how many of them each joined trigram occurs
	rows    float64        // the table's rows, as PostgreSQL last counted
	taken   time.Time

	// plans already made from this sample, by query and page size (a
	// search is often repeated: the next page, another user).
	mu    sync.Mutex
	plans map[planKey]searchPlan
}

type planKey struct {
	q     string
	limit int
}

// maxPlans bounds the plans a sample keeps.
const maxPlans = 1000

// searchPlan is how a list finds its text.
type searchPlan struct {
	// trigrams, when not empty, are those the joined-text index is asked
	// for; otherwise the newest rows are read first.
	trigrams []string
}

// planSearch decides how to find folded text q (not empty).
func (s *Store) planSearch(ctx context.Context, q string, limit int) searchPlan {
	windows := joinedTrigrams(q)
	if len(windows) == 0 {
		return searchPlan{} // nothing an index can look up
	}
	smp := s.sample(ctx)
	if smp == nil {
		return searchPlan{trigrams: firstN(windows, searchTrigrams)}
	}
	smp.mu.Lock()
	p, ok := smp.plans[planKey{q, limit}]
	smp.mu.Unlock()
	if ok {
		return p
	}
	p = smp.plan(q, windows, limit)
	smp.mu.Lock()
	if len(smp.plans) >= maxPlans {
		clear(smp.plans)
	}
	smp.plans[planKey{q, limit}] = p
	smp.mu.Unlock()
	return p
}

// plan decides from the sample how to find q, whose trigrams are windows.
func (smp *sampled) plan(q string, windows []string, limit int) searchPlan {
	// How often q occurs (share): the share of sampled texts that hold it.
	// Newest first, a page costs about (limit+1)/share rows read; by the
	// trigrams, share×rows rows fetched. The first is cheaper when share²
	// > (limit+1)/(searchFetchCost×rows).
	hits := 0
	for _, t := range smp.texts {
		if strings.Contains(t, q) {
			hits++
		}
	}
	share := float64(hits) / float64(max(len(smp.texts), 1))
	if smp.rows <= searchScanRows || share*share*searchFetchCost*smp.rows > float64(limit+1) {
		return searchPlan{}
	}
	// The rarest trigrams first (stable: ties keep the query's order).
	rarest := append([]string(nil), windows...)
	for i := 1; i < len(rarest); i++ {
		for j := i; j > 0 && smp.trigram[rarest[j]] < smp.trigram[rarest[j-1]]; j-- {
			rarest[j], rarest[j-1] = rarest[j-1], rarest[j]
		}
	}
	return searchPlan{trigrams: firstN(rarest, searchTrigrams)}
}

func firstN(s []string, n int) []string { return s[:min(n, len(s))] }

// joinedTrigrams are the distinct trigrams of folded text q with its spaces
// joined, that pg_trgm finds the same way in any text holding q: three
// letters or digits in a row. A LIKE pattern of one of them, '%abc%', asks
// the index for that trigram alone.
func joinedTrigrams(q string) []string {
	j := strings.ReplaceAll(q, " ", searchJoin)
	var out []string
	seen := map[string]bool{}
	for i := 0; i+3 <= len(j); i++ {
		w := j[i : i+3]
		if !wordByte(w[0]) || !wordByte(w[1]) || !wordByte(w[2]) || seen[w] {
			continue
		}
		seen[w] = true
		out = append(out, w)
	}
	return out
}

func wordByte(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// sample gives the current sample of search texts: it takes one the first
// time (nil if that fails), and takes a new one in the background when it
// is old.
func (s *Store) sample(ctx context.Context) *sampled {
	smp := &s.search
	smp.mu.Lock()
	cur := smp.cur
	if cur != nil && time.Since(cur.taken) > searchSampleAge && !smp.taking {
		smp.taking = true
		go s.takeSample(context.WithoutCancel(ctx))
	}
	smp.mu.Unlock()
	if cur != nil || !s.takeSample(ctx) {
		return cur
	}
	smp.mu.Lock()
	defer smp.mu.Unlock()
	return smp.cur
}

// takeSample reads about searchSampleRows search texts, a whole page at a
// time (TABLESAMPLE SYSTEM), and counts their trigrams.
func (s *Store) takeSample(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var rows float64
	err := s.DB.GetContext(ctx, &rows, `SELECT reltuples FROM pg_class WHERE oid = 'dossiers'::regclass`)
	var texts []string
	if err == nil {
		pct := 100.0
		if rows > searchSampleRows {
			pct = 100 * searchSampleRows / rows
		}
		err = s.DB.SelectContext(ctx, &texts, `SELECT search FROM dossiers TABLESAMPLE SYSTEM ($1) LIMIT $2`, pct, 4*searchSampleRows)
	}
	smp := &s.search
	smp.mu.Lock()
	defer smp.mu.Unlock()
	smp.taking = false
	if err != nil {
		return false
	}
	counts := map[string]int{}
	for _, t := range texts {
		for _, w := range joinedTrigrams(t) {
			counts[w]++
		}
	}
	smp.cur = &sampled{texts: texts, trigram: counts, rows: max(rows, float64(len(texts))), taken: time.Now(),
		plans: map[planKey]searchPlan{}}
	return true
}
