package bench

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/lib/pq"

	"tdkt/domain"
	"tdkt/store"
)

// seedUnits are about thirty units of a province, from the unit directory
// the migrations seed (Lai Châu after 1/7/2025): its departments, bodies,
// mass organisations, wards and communes.
var seedUnits = []string{
	"SGDDT", "SYT", "SNV", "STC", "SXD", "SNNMT", "SCT", "SKHCN", "SVHTTDL", "SDTTG",
	"STP", "TTT", "VPUBND", "BCHQS", "CAT", "LDLD", "TINHDOAN", "HLHPN", "HND", "MTTQ",
	"P-TANPHONG", "P-DOANKET", "X-BINHLU", "X-PHONGTHO", "X-SINHO", "X-MUONGTE", "X-THANUYEN", "X-TANUYEN",
	"X-LELOI", "DN-DIENLUC",
}

// seedCampaigns are the three campaigns of the seeded two years.
var seedCampaigns = []string{"2024-annual", "2025-annual", "2025-phong-chong-thien-tai"}

var (
	surnames = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
		"Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Lò", "Tòng", "Giàng", "Vàng", "Sùng", "Lường"}
	middles = []string{"Văn", "Thị", "Hữu", "Minh", "Đức", "Thu", "Ngọc", "Quang", "Thanh", "Xuân", "A"}
	givens  = []string{"An", "Bình", "Cường", "Dũng", "Hoa", "Lan", "Mai", "Nam", "Tuấn", "Yến", "Hạnh",
		"Khánh", "Hùng", "Phương", "Thảo", "Sơn", "Hải", "Linh", "Trung", "Quý", "Chiến", "Dìn", "Páo", "Súa"}
	orgs = []string{"Trường THPT Phong Thổ", "Trường PTDTBT THCS Mường Tè", "Bệnh viện Đa khoa tỉnh",
		"Trung tâm Y tế huyện Sìn Hồ", "Phòng Tổ chức cán bộ", "Chi cục Kiểm lâm", "Đội Quản lý thị trường số 2",
		"Ban Quản lý rừng phòng hộ Tam Đường", "Công an xã Bản Lang", "Hội Liên hiệp Phụ nữ huyện Than Uyên"}
	positions = []string{"Giáo viên", "Bác sĩ", "Điều dưỡng", "Chuyên viên", "Trưởng phòng", "Phó Giám đốc",
		"Kiểm lâm viên", "Cán bộ", "Hiệu trưởng", "Công nhân"}
	achievements = []string{"hoàn thành xuất sắc nhiệm vụ", "có sáng kiến được công nhận cấp tỉnh",
		"dẫn đầu phong trào thi đua", "có thành tích trong phòng, chống thiên tai",
		"đóng góp vào xây dựng nông thôn mới", "có thành tích xuất sắc trong công tác chuyên môn"}
	// awardWeights: how often each award is proposed; rare orders rarely.
	awardWeights = map[string]float64{"BK_UBND_TINH": 30, "TTLDXS": 15, "CSTD_TINH": 12, "CO_THI_DUA_TINH": 8,
		"BK_TTG": 10, "CO_THI_DUA_CP": 3, "CSTD_TOAN_QUOC": 2, "HC_LAO_DONG_3": 5, "HC_LAO_DONG_2": 2,
		"HC_LAO_DONG_1": 1, "HC_DOC_LAP_3": 1, "HC_DOC_LAP_2": 0.5, "HC_DOC_LAP_1": 0.3, "AHLD": 0.5,
		"HC_HO_CHI_MINH": 0.2, "HC_SAO_VANG": 0.1}
)

// vnName is a Vietnamese personal name, with diacritics, picked by n.
func vnName(n int) string {
	return surnames[n%len(surnames)] + " " + middles[(n/7)%len(middles)] + " " + givens[(n/13)%len(givens)]
}

// pathOf is the non-terminal stages an award's regular path goes through.
func pathOf(a domain.Award) []domain.Stage {
	p := []domain.Stage{domain.Reception, domain.Supplement, domain.Appraisal}
	if a.Notice {
		p = append(p, domain.PublicNotice)
	}
	if a.HasCouncil() {
		p = append(p, domain.Council)
	}
	p = append(p, domain.Decision)
	if a.Authority != domain.AuthorityProvince {
		p = append(p, domain.CentralAppraisal, domain.PMDecision)
	}
	if a.Authority == domain.AuthorityPresident {
		p = append(p, domain.PresidentDecision)
	}
	return p
}

// seedRow is one dossier of the seed with the columns Project writes.
type seedRow struct {
	v      domain.View
	search string
}

// generator makes the seed's dossiers one at a time, so that a million of
// them never sit in memory together: created over the two years before
// now, about thirty units, all awards, all stages (most older dossiers
// finished, the recent ones in progress), about 5% overdue, three
// campaigns. Row i draws from its own random stream, (seed, i), so that a
// first pass can count the active dossiers (which sets the share of them
// overdue) and the second make the same rows again.
type generator struct {
	now      time.Time
	seed     uint64
	pcg      *rand.PCG
	r        *rand.Rand
	codes    []string
	total    float64
	perYear  map[int]int
	pOverdue float64
}

const seedSpan = 730 * 24 * time.Hour

func newGenerator(n int, now time.Time, seed uint64) *generator {
	g := &generator{now: now, seed: seed, pcg: rand.NewPCG(seed, 0), perYear: map[int]int{}}
	g.r = rand.New(g.pcg)
	for _, a := range domain.Catalogue {
		g.codes = append(g.codes, a.Code)
		g.total += awardWeights[a.Code] + 0.05
	}
	active := 0
	for i := range n {
		if _, _, stage := g.start(i); !stage.Terminal() {
			active++
		}
	}
	// About 5% of all dossiers overdue: a share of the active ones.
	g.pOverdue = min(0.9, 0.05*float64(n)/float64(max(active, 1)))
	return g
}

func (g *generator) pickAward() domain.Award {
	x := g.r.Float64() * g.total
	for _, c := range g.codes {
		x -= awardWeights[c] + 0.05
		if x <= 0 {
			a, _ := domain.AwardByCode(c)
			return a
		}
	}
	a, _ := domain.AwardByCode(g.codes[len(g.codes)-1])
	return a
}

// start sets row i's random stream and draws what decides its stage: its
// age, award and stage.
func (g *generator) start(i int) (time.Duration, domain.Award, domain.Stage) {
	g.pcg.Seed(g.seed, uint64(i)^0x9e3779b97f4a7c15)
	r := g.r
	age := time.Duration(r.Int64N(int64(seedSpan)))
	a := g.pickAward()
	days := age.Hours() / 24
	var pTerminal float64
	switch {
	case days < 30:
		pTerminal = 0.05
	case days < 90:
		pTerminal = 0.3
	case days < 180:
		pTerminal = 0.6
	case days < 365:
		pTerminal = 0.9
	default:
		pTerminal = 0.99
	}
	path := pathOf(a)
	stage := path[r.IntN(len(path))]
	if r.Float64() < pTerminal {
		switch x := r.IntN(100); {
		case x < 85:
			stage = domain.Awarded
		case x < 93:
			stage = domain.Rejected
		case x < 98:
			stage = domain.Withdrawn
		default:
			stage = domain.Cancelled
		}
	}
	return age, a, stage
}

// row makes dossier i; rows are made in order (ids count up per year).
func (g *generator) row(i int) seedRow {
	age, a, stage := g.start(i)
	r, now := g.r, g.now
	created := now.Add(-age).Truncate(time.Microsecond)
	year := created.In(domain.Local).Year()
	g.perYear[year]++
	nt := a.NomineeTypes[r.IntN(len(a.NomineeTypes))]
	name := vnName(r.IntN(1 << 20))
	if nt == domain.Collective {
		name = orgs[r.IntN(len(orgs))]
	}
	campaign := seedCampaigns[0]
	if age < seedSpan/2 {
		campaign = seedCampaigns[1]
	}
	kind := domain.KindMerit
	if r.IntN(10) == 0 {
		campaign, kind = seedCampaigns[2], domain.KindCampaign
	}
	updated := created.Add(time.Duration(r.Float64() * float64(age))).Truncate(time.Microsecond)
	v := domain.View{ID: fmt.Sprintf("HS-%d-%06d", year, g.perYear[year]), Unit: seedUnits[r.IntN(len(seedUnits))],
		AwardCode: a.Code, AwardName: a.Name, Authority: a.Authority, Kind: kind, Procedure: domain.ProcedureRegular,
		Campaign: campaign, AchievementPeriod: fmt.Sprint(year - 1),
		Nominee: domain.Nominee{Type: nt, Name: name}, Stage: stage, Status: domain.StatusOf(stage),
		Summary:   "Đề nghị khen thưởng vì đã " + achievements[r.IntN(len(achievements))] + " năm " + fmt.Sprint(year-1),
		Documents: []domain.Document{}, MissingDocuments: []domain.DocumentKind{}, AllowedActions: []domain.Action{},
		CreatedAt: created, UpdatedAt: updated}
	if nt == domain.Individual {
		v.Nominee.Position, v.Nominee.Organization = positions[r.IntN(len(positions))], orgs[r.IntN(len(orgs))]
	}
	v.Version = int64(2 + r.IntN(6))
	for j, k := range domain.RequiredDocuments(a, v.Procedure) {
		if stage == domain.Reception && r.IntN(3) == 0 {
			v.MissingDocuments = append(v.MissingDocuments, k)
			continue
		}
		sum := sha256.Sum256([]byte(v.ID + string(k)))
		v.Documents = append(v.Documents, domain.Document{ID: fmt.Sprintf("%08x-0000-4000-8000-%012d", i, j), Kind: k,
			Filename: string(k) + ".pdf", Size: 80_000 + r.Int64N(900_000), SHA256: hex.EncodeToString(sum[:]),
			ContentType: "application/pdf"})
	}
	if stage == domain.Supplement {
		rf := domain.Reception
		v.ReturnedFrom = &rf
	}
	if stage == domain.Council {
		v.Votes = &domain.VotesView{Cast: r.IntN(9), Members: 9, Needed: a.YesNeeded(9)}
	}
	if stage == domain.Awarded {
		v.Decision = &domain.Issued{Number: fmt.Sprintf("%d/QĐ-UBND", 1+r.IntN(3000)),
			Date: updated.In(domain.Local).Format(time.DateOnly), Authority: a.Authority}
	}
	if !stage.Terminal() {
		due := now.Add(time.Duration(1+r.IntN(20)) * 24 * time.Hour)
		if v.Stage != domain.PublicNotice && r.Float64() < g.pOverdue {
			due = now.Add(-time.Duration(1+r.IntN(20)) * 24 * time.Hour)
			v.Overdue = true
		}
		due = due.Truncate(time.Microsecond)
		v.DueAt = &due
	}
	return seedRow{v: v, search: store.Fold(v.Nominee.Name + " " + v.Summary)}
}

// Seed bulk-loads n generated dossiers into the read model's dossiers table
// with COPY, the same columns as store.Project writes, and records votes of
// council member bench-council-1 on about half of the council dossiers. The
// yearly id counters are moved past the seeded ids. The dossiers are made
// as they are copied: a million take no more memory than a hundred.
func Seed(ctx context.Context, st *store.Store, n int, seed uint64) (Mix, error) {
	gen := newGenerator(n, time.Now().UTC(), seed)
	tx, err := st.DB.BeginTx(ctx, nil)
	if err != nil {
		return Mix{}, fmt.Errorf("seed: begin: %w", err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, pq.CopyIn("dossiers", "id", "unit", "award_code", "authority", "kind", "procedure",
		"campaign", "stage", "status", "version", "due_at", "overdue", "nominee_name", "search", "view", "created_at", "updated_at"))
	if err != nil {
		return Mix{}, fmt.Errorf("seed: copy: %w", err)
	}
	mix := Mix{Stages: map[string]int{}, Awards: map[string]int{}, Units: map[string]int{}, Campaigns: map[string]int{}}
	maxID := map[int]int{}
	var councilIDs []string
	councilSeen := 0
	for i := range n {
		row := gen.row(i)
		v := row.v
		view, err := json.Marshal(v)
		if err != nil {
			return Mix{}, fmt.Errorf("seed: encode %s: %w", v.ID, err)
		}
		var due any
		if v.DueAt != nil {
			due = *v.DueAt
		}
		if _, err := stmt.ExecContext(ctx, v.ID, v.Unit, v.AwardCode, string(v.Authority), string(v.Kind), string(v.Procedure),
			v.Campaign, string(v.Stage), string(v.Status), v.Version, due, v.Overdue, v.Nominee.Name, row.search,
			string(view), v.CreatedAt, v.UpdatedAt); err != nil {
			return Mix{}, fmt.Errorf("seed: copy %s: %w", v.ID, err)
		}
		mix.Total++
		mix.Stages[string(v.Stage)]++
		mix.Awards[v.AwardCode]++
		mix.Units[v.Unit]++
		mix.Campaigns[v.Campaign]++
		if v.Overdue {
			mix.Overdue++
		}
		var year, seq int
		fmt.Sscanf(v.ID, "HS-%d-%d", &year, &seq)
		maxID[year] = max(maxID[year], seq)
		if v.Stage == domain.Council {
			// Every other council dossier: the member has voted on it.
			if councilSeen++; councilSeen%2 == 0 {
				councilIDs = append(councilIDs, v.ID)
			}
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return Mix{}, fmt.Errorf("seed: copy: %w", err)
	}
	if err := stmt.Close(); err != nil {
		return Mix{}, fmt.Errorf("seed: copy: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO dossier_votes (dossier_id, member_id) SELECT unnest($1::text[]), 'bench-council-1'`,
		pq.Array(councilIDs)); err != nil {
		return Mix{}, fmt.Errorf("seed: votes: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return Mix{}, fmt.Errorf("seed: commit: %w", err)
	}
	for year, last := range maxID {
		if err := st.RestoreDossierID(ctx, fmt.Sprintf("HS-%d-%06d", year, last)); err != nil {
			return Mix{}, fmt.Errorf("seed: id counter %d: %w", year, err)
		}
	}
	for _, q := range []string{`VACUUM ANALYZE dossiers`, `VACUUM ANALYZE dossier_votes`} {
		if _, err := st.DB.ExecContext(ctx, q); err != nil {
			return Mix{}, fmt.Errorf("seed: %s: %w", q, err)
		}
	}
	return mix, nil
}

// Mix is what was seeded.
type Mix struct {
	Total     int            `json:"total"`
	Overdue   int            `json:"overdue"`
	Stages    map[string]int `json:"stages"`
	Awards    map[string]int `json:"awards"`
	Units     map[string]int `json:"units"`
	Campaigns map[string]int `json:"campaigns"`
}
