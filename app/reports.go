package app

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/xuri/excelize/v2"

	"tdkt/domain"
	"tdkt/store"
)

// Reports (báo cáo tổng hợp, issue 14): per year, the dossiers submitted
// that year (in Vietnam) counted per campaign, unit and award, with the
// working days their stays in each stage took.
//
// Speed: a summary reads only the rollups the projection keeps (migration
// 0008): report_dossiers, one narrow row per dossier under a covering index
// by year, and report_stage_days, the histogram of stays in working days.
// It never reads the dossiers' views nor the history, and never counts
// working days at read time.

// The media types of the spreadsheets.
const (
	CSVType  = "text/csv"
	XLSXType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// ReportQuery is a validated summary query.
type ReportQuery = store.ReportFilter

// ParseReportQuery validates the summary's query: year (required),
// campaign, unit, award.
func ParseReportQuery(q url.Values) (ReportQuery, []domain.FieldError) {
	var f ReportQuery
	var fe []domain.FieldError
	if strings.TrimSpace(q.Get("year")) == "" {
		fe = append(fe, domain.FieldError{Field: "year", Message: "is required"})
	} else if e := queryYear(q, &f.Year); e != nil {
		fe = append(fe, *e)
	}
	if v := strings.TrimSpace(q.Get("campaign")); v != "" {
		if !domain.ValidCampaignCode(v) {
			fe = append(fe, domain.FieldError{Field: "campaign", Message: "must be a campaign code: 1 to 64 letters A-Z, digits, '.', '_' or '-'"})
		}
		f.Campaign = v
	}
	if v := strings.TrimSpace(q.Get("unit")); v != "" {
		if e := CheckText("unit", v, MaxCode); e != nil {
			fe = append(fe, *e)
		}
		f.Unit = v
	}
	if v := strings.TrimSpace(q.Get("award")); v != "" {
		if _, ok := domain.AwardByCode(v); !ok {
			fe = append(fe, domain.FieldError{Field: "award", Message: "unknown award code"})
		}
		f.Award = v
	}
	return f, fe
}

// StageFigures are a stage's figures in a summary: how many dossiers are
// in it now, how many stays in it ended, and the median and 90th
// percentile of their working days (null when none ended).
type StageFigures struct {
	Stage      domain.Stage `json:"stage"`
	InStage    int64        `json:"in_stage"`
	Stays      int64        `json:"stays"`
	MedianDays *int         `json:"median_days"`
	P90Days    *int         `json:"p90_days"`
}

// ReportRow is one group of a summary (or the totals).
type ReportRow struct {
	store.ReportCounts
	Stages []StageFigures `json:"stages"`
}

// Summary is a yearly summary.
type Summary struct {
	Year     int         `json:"year"`
	Campaign string      `json:"campaign,omitempty"`
	Unit     string      `json:"unit,omitempty"`
	Award    string      `json:"award,omitempty"`
	Totals   ReportRow   `json:"totals"`
	Groups   []ReportRow `json:"groups"`
}

// ReportStages are the stages a summary measures: every stage a dossier
// waits in (the terminal ones end it).
func ReportStages() []domain.Stage {
	var out []domain.Stage
	for _, i := range domain.Stages {
		if !i.Terminal {
			out = append(out, i.Stage)
		}
	}
	return out
}

// MayReadReports: officers, the chairman and administrators.
func MayReadReports(a domain.Actor) bool {
	return a.Has(domain.RoleOfficer) || a.Has(domain.RoleChairman) || a.Has(domain.RoleAdmin)
}

// histogram is how many stays took each number of working days.
type histogram map[int]int64

// rank is the smallest number of days at or below which a share p of the
// stays fall (nearest rank: the ⌈p·n⌉-th stay in order).
func (h histogram) rank(p float64) (int64, *int) {
	var n int64
	days := make([]int, 0, len(h))
	for d, k := range h {
		n += k
		days = append(days, d)
	}
	if n == 0 {
		return 0, nil
	}
	sort.Ints(days)
	want := int64(float64(n)*p + 0.999999999)
	if want < 1 {
		want = 1
	}
	var seen int64
	for _, d := range days {
		seen += h[d]
		if seen >= want {
			d := d
			return n, &d
		}
	}
	return n, nil
}

// figures builds a row's stage figures from its counts now (in the order
// of ReportStages) and, for the totals, the histograms of working days.
func figures(now []int64, hist map[string]histogram, all bool) []StageFigures {
	out := []StageFigures{}
	for i, st := range ReportStages() {
		f := StageFigures{Stage: st}
		if i < len(now) {
			f.InStage = now[i]
		}
		if hist != nil {
			f.Stays, f.MedianDays = hist[string(st)].rank(0.5)
			_, f.P90Days = hist[string(st)].rank(0.9)
		}
		if all || f.InStage > 0 || f.Stays > 0 {
			out = append(out, f)
		}
	}
	return out
}

// ReportSummary is the yearly summary (officer, chairman, admin): counts
// per campaign, unit and award with how many of each are in each stage
// now; the working days each stage took (median, 90th percentile) are of
// the whole filtered set, in the totals: filter by a campaign, a unit or
// an award for theirs.
func (s *Service) ReportSummary(ctx context.Context, a domain.Actor, q ReportQuery) (Summary, error) {
	if !MayReadReports(a) {
		return Summary{}, refusal(domain.ErrForbidden, "only an officer, the chairman or an administrator reads reports")
	}
	if q.Year == 0 {
		return Summary{}, invalid(domain.FieldError{Field: "year", Message: "is required"})
	}
	cs, err := s.campaignStore()
	if err != nil {
		return Summary{}, failure("report", err)
	}
	stages := ReportStages()
	groups, err := cs.ReportGroups(ctx, q, stages)
	if err != nil {
		return Summary{}, storeError("report", err)
	}
	days, err := cs.ReportStageDays(ctx, q)
	if err != nil {
		return Summary{}, storeError("report", err)
	}
	hist := map[string]histogram{}
	for _, d := range days {
		if hist[d.Stage] == nil {
			hist[d.Stage] = histogram{}
		}
		hist[d.Stage][d.WorkingDays] += d.N
	}
	out := Summary{Year: q.Year, Campaign: q.Campaign, Unit: q.Unit, Award: q.Award, Groups: make([]ReportRow, 0, len(groups))}
	var t store.ReportCounts
	totalNow := make([]int64, len(stages))
	for _, g := range groups {
		out.Groups = append(out.Groups, ReportRow{ReportCounts: g, Stages: figures(g.InStage, nil, false)})
		t.Submitted += g.Submitted
		t.Active += g.Active
		t.Awarded += g.Awarded
		t.Rejected += g.Rejected
		t.Returned += g.Returned
		t.Withdrawn += g.Withdrawn
		t.Cancelled += g.Cancelled
		t.Overdue += g.Overdue
		for i := range totalNow {
			if i < len(g.InStage) {
				totalNow[i] += g.InStage[i]
			}
		}
	}
	t.Campaign, t.Unit, t.AwardCode = q.Campaign, q.Unit, q.Award
	out.Totals = ReportRow{ReportCounts: t, Stages: figures(totalNow, hist, true)}
	return out, nil
}

// CampaignProgress counts each campaign's dossiers per stage they are in
// now (the plan's timeline); any signed-in role but a unit's, which sees
// its own dossiers only and gets no counts.
func (s *Service) CampaignProgress(ctx context.Context, a domain.Actor, codes []string) (map[string]map[string]int64, error) {
	if UnitScoped(a) || len(codes) == 0 {
		return map[string]map[string]int64{}, nil
	}
	cs, err := s.campaignStore()
	if err != nil {
		return nil, failure("campaign progress", err)
	}
	m, err := cs.CampaignStages(ctx, codes)
	if err != nil {
		return nil, storeError("campaign progress", err)
	}
	return m, nil
}

// The columns of the spreadsheets: the group, its counts, then for each
// stage the dossiers in it now and the median and 90th percentile of the
// working days stays in it took.
func reportHeader(vi bool) []string {
	h := []string{"scope", "campaign", "unit", "award_code", "submitted", "active", "awarded", "rejected", "returned", "withdrawn", "cancelled", "overdue"}
	if vi {
		h = []string{"Phạm vi", "Đợt thi đua", "Đơn vị", "Hình thức khen thưởng", "Đã nộp", "Đang xử lý", "Đã khen thưởng",
			"Không khen thưởng", "Bị trả lại (ít nhất một lần)", "Đã rút", "Đã hủy", "Đang quá hạn"}
	}
	for _, st := range ReportStages() {
		if vi {
			n := StageName(st)
			h = append(h, n+": đang ở", n+": trung vị ngày làm việc", n+": phân vị 90 ngày làm việc")
		} else {
			h = append(h, string(st)+"_in_stage", string(st)+"_median_days", string(st)+"_p90_days")
		}
	}
	return h
}

// reportCells is a row's cells: strings and numbers (nil for no figure).
func reportCells(scope string, r ReportRow) []any {
	c := r.ReportCounts
	cells := []any{scope, c.Campaign, c.Unit, c.AwardCode, c.Submitted, c.Active, c.Awarded, c.Rejected, c.Returned, c.Withdrawn, c.Cancelled, c.Overdue}
	by := map[domain.Stage]StageFigures{}
	for _, f := range r.Stages {
		by[f.Stage] = f
	}
	for _, st := range ReportStages() {
		f := by[st]
		var med, p90 any
		if f.MedianDays != nil {
			med = *f.MedianDays
		}
		if f.P90Days != nil {
			p90 = *f.P90Days
		}
		cells = append(cells, f.InStage, med, p90)
	}
	return cells
}

func (sm Summary) rows() [][]any {
	out := [][]any{reportCells("total", sm.Totals)}
	for _, g := range sm.Groups {
		out = append(out, reportCells("group", g))
	}
	return out
}

// CSV is the summary as CSV (RFC 4180, UTF-8): a header, the totals, then
// one line per campaign, unit and award.
func (sm Summary) CSV() ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.Write(reportHeader(false)); err != nil {
		return nil, err
	}
	for _, r := range sm.rows() {
		rec := make([]string, len(r))
		for i, c := range r {
			if c != nil {
				rec[i] = fmt.Sprint(c)
			}
		}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// XLSX is the summary as a workbook: sheet "Tổng hợp" holds what the CSV
// holds, with Vietnamese headers and numbers as numbers.
func (sm Summary) XLSX() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Tổng hợp"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	title := fmt.Sprintf("Báo cáo tổng hợp thi đua, khen thưởng năm %d", sm.Year)
	var filters []string
	if sm.Campaign != "" {
		filters = append(filters, "đợt "+sm.Campaign)
	}
	if sm.Unit != "" {
		filters = append(filters, "đơn vị "+sm.Unit)
	}
	if sm.Award != "" {
		filters = append(filters, "hình thức "+sm.Award)
	}
	if len(filters) > 0 {
		title += " (" + strings.Join(filters, ", ") + ")"
	}
	if err := f.SetCellValue(sheet, "A1", title); err != nil {
		return nil, err
	}
	put := func(row int, cells []any) error {
		addr, err := excelize.CoordinatesToCellName(1, row)
		if err != nil {
			return err
		}
		return f.SetSheetRow(sheet, addr, &cells)
	}
	head := reportHeader(true)
	hc := make([]any, len(head))
	for i, h := range head {
		hc[i] = h
	}
	if err := put(3, hc); err != nil {
		return nil, err
	}
	for i, r := range sm.rows() {
		if r[0] == "total" {
			r[0] = "Tổng cộng"
		} else {
			r[0] = "Nhóm"
		}
		if err := put(4+i, r); err != nil {
			return nil, err
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 3, TopLeftCell: "A4", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// ReportFileName is the download's name.
func (sm Summary) ReportFileName(ext string) string {
	n := fmt.Sprintf("bao-cao-tdkt-%d", sm.Year)
	for _, s := range []string{sm.Campaign, sm.Unit, sm.Award} {
		if s != "" {
			n += "-" + s
		}
	}
	return n + "." + ext
}
