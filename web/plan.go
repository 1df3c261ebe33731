package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"tdkt/app"
	"tdkt/domain"
)

// The yearly plan (kế hoạch năm, issue 14): its campaigns on a timeline
// with where their dossiers stand, the officer's form for a new campaign,
// and the reports with their downloads. Pictures are SVG drawn here: the
// console sends no script, and its CSP allows no inline style.

// The timeline's drawing, in SVG user units (it scales to the page).
const (
	tlWidth  = 1000
	tlLabel  = 0 // bars span the whole width; names are in the table
	tlRow    = 44
	tlTop    = 28
	tlBarH   = 24
	tlMonthW = float64(tlWidth-tlLabel) / 12
)

type tlMonth struct {
	X     float64
	Label string
}

type tlBar struct {
	Campaign domain.Campaign
	X, W, Y  float64
	TextY    float64
	Open     bool
	Stages   []stageCount
	Total    int
	KindName string
}

type planData struct {
	Year       int
	Prev, Next int
	Months     []tlMonth
	Bars       []tlBar
	Height     int
	TodayX     float64
	ShowToday  bool
	MayCreate  bool
	ShowCounts bool
}

// dayX places a day on the year's axis.
func dayX(year int, d string) float64 {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return 0
	}
	start := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(year+1, 1, 1, 0, 0, 0, 0, time.UTC)
	switch {
	case t.Before(start):
		t = start
	case t.After(end):
		t = end
	}
	return tlLabel + float64(tlWidth-tlLabel)*t.Sub(start).Hours()/end.Sub(start).Hours()
}

// plan shows the year's campaigns: GET /plan?year=.
func (c *Console) plan(w http.ResponseWriter, r *http.Request) {
	a := actorOf(r)
	year := c.app.Year()
	if y := r.URL.Query().Get("year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || n < 2000 || n > 2100 {
			c.errorPage(w, r, http.StatusUnprocessableEntity, "Năm phải là một năm từ 2000 đến 2100.")
			return
		}
		year = n
	}
	ctx := r.Context()
	cs, err := c.app.Campaigns(ctx, a, app.CampaignFilter{Year: year})
	if err != nil {
		c.failPage(w, r, err)
		return
	}
	codes := make([]string, len(cs))
	for i, x := range cs {
		codes[i] = x.Code
	}
	progress, err := c.app.CampaignProgress(ctx, a, codes)
	if err != nil {
		c.failPage(w, r, err)
		return
	}
	d := planData{Year: year, Prev: year - 1, Next: year + 1, MayCreate: a.Has(domain.RoleOfficer), ShowCounts: !app.UnitScoped(a)}
	for m := 1; m <= 12; m++ {
		d.Months = append(d.Months, tlMonth{X: tlLabel + float64(m-1)*tlMonthW, Label: fmt.Sprintf("T%d", m)})
	}
	today := c.app.Today()
	if strings.HasPrefix(today, strconv.Itoa(year)+"-") {
		d.ShowToday, d.TodayX = true, dayX(year, today)
	}
	for i, x := range cs {
		y := float64(tlTop + i*tlRow)
		b := tlBar{Campaign: x, X: dayX(year, x.Opens), Y: y, TextY: y + tlBarH/2 + 5,
			Open: x.Opens <= today && today <= x.Closes, KindName: app.CampaignKindNames[x.Kind]}
		// The last day counts whole.
		end := dayX(year, x.Closes) + float64(tlWidth-tlLabel)/365
		b.W = max(end-b.X, 4)
		for _, st := range domain.Stages {
			if n := progress[x.Code][string(st.Stage)]; n > 0 {
				b.Stages = append(b.Stages, stageCount{Stage: st.Stage, Count: int(n)})
				b.Total += int(n)
			}
		}
		d.Bars = append(d.Bars, b)
	}
	d.Height = tlTop + max(len(cs), 1)*tlRow + 8
	c.render(w, r, http.StatusOK, "plan", fmt.Sprintf("Kế hoạch thi đua, khen thưởng năm %d", year), d, "", nil)
}

type campaignNewData struct {
	Form   url.Values
	Kinds  []domain.CampaignKind
	Awards []domain.Award
	Chosen map[string]bool
}

// newCampaign is the form: GET /plan/campaigns/new (officer).
func (c *Console) newCampaign(w http.ResponseWriter, r *http.Request) {
	y := strconv.Itoa(c.app.Year())
	c.renderNewCampaign(w, r, http.StatusOK, url.Values{"year": {y}, "kind": {string(domain.CampaignThematic)}}, "", nil)
}

func (c *Console) renderNewCampaign(w http.ResponseWriter, r *http.Request, status int, form url.Values, problem string, errs []domain.FieldError) {
	if !actorOf(r).Has(domain.RoleOfficer) {
		c.errorPage(w, r, http.StatusForbidden, "Chỉ chuyên viên mới tạo đợt thi đua.")
		return
	}
	d := campaignNewData{Form: form, Kinds: domain.CampaignKinds, Awards: domain.Catalogue, Chosen: map[string]bool{}}
	for _, a := range form["awards"] {
		d.Chosen[a] = true
	}
	c.render(w, r, status, "campaignnew", "Tạo đợt thi đua", d, problem, errs)
}

// parseDayVN reads a day written dd/mm/yyyy (or YYYY-MM-DD) as YYYY-MM-DD;
// anything else is passed on for the use case to refuse.
func parseDayVN(s string) string {
	s = strings.TrimSpace(s)
	if t, err := time.Parse("2/1/2006", s); err == nil {
		return t.Format(time.DateOnly)
	}
	return s
}

// createCampaign creates it: POST /plan/campaigns.
func (c *Console) createCampaign(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	year, err := strconv.Atoi(strings.TrimSpace(f.Get("year")))
	if err != nil {
		year = 0
	}
	in := domain.Campaign{Code: strings.TrimSpace(f.Get("code")), Name: strings.TrimSpace(f.Get("name")), Year: year,
		Kind: domain.CampaignKind(f.Get("kind")), Opens: parseDayVN(f.Get("opens")), Closes: parseDayVN(f.Get("closes")),
		Awards: f["awards"]}
	v, err := c.app.CreateCampaign(r.Context(), actorOf(r), in)
	if err != nil {
		if ownPage(err, false) {
			c.failPage(w, r, err)
			return
		}
		msg, fields := app.Vietnamese(err)
		if app.AsError(err).Kind == domain.ErrConflict {
			fields = []domain.FieldError{{Field: "code", Message: msg}}
		}
		c.renderNewCampaign(w, r, statusOf(err), f, msg, fields)
		return
	}
	c.flash(r, fmt.Sprintf("Đã tạo đợt «%s» (%s), nhận hồ sơ từ %s đến hết %s.", v.Name, v.Code, dateVN(v.Opens), dateVN(v.Closes)))
	http.Redirect(w, r, "/plan?year="+strconv.Itoa(v.Year), http.StatusSeeOther)
}

// The reports page's charts: horizontal bars, SVG.
const (
	chartWidth = 700
	chartLabel = 290
	chartRow   = 30
	chartBarH  = 20
)

type chartBar struct {
	Label    string
	Value    string
	Y, TextY float64
	W        float64
	Class    string
}

type chart struct {
	Title  string
	ID     string
	Bars   []chartBar
	Height int
	Empty  bool
}

func newChart(id, title string, labels []string, values []int64, show []string, classes []string) chart {
	ch := chart{ID: id, Title: title, Height: max(len(labels), 1)*chartRow + 10}
	var top int64
	for _, v := range values {
		top = max(top, v)
	}
	ch.Empty = top == 0
	for i, l := range labels {
		y := float64(5 + i*chartRow)
		b := chartBar{Label: l, Value: show[i], Y: y, TextY: y + chartBarH/2 + 5, Class: classes[i%len(classes)]}
		if top > 0 {
			b.W = float64(chartWidth-chartLabel-60) * float64(values[i]) / float64(top)
		}
		ch.Bars = append(ch.Bars, b)
	}
	return ch
}

type reportsData struct {
	Query     url.Values
	Summary   app.Summary
	Campaigns []domain.Campaign
	Awards    []domain.Award
	Outcomes  chart
	Days      chart
	CSV, XLSX string
	Shown     bool
}

// reports is the reports page: GET /reports?year=&campaign=&unit=&award=
// (officer, chairman, admin).
func (c *Console) reports(w http.ResponseWriter, r *http.Request) {
	a := actorOf(r)
	if !app.MayReadReports(a) {
		c.errorPage(w, r, http.StatusForbidden, "Báo cáo dành cho chuyên viên, Chủ tịch UBND tỉnh và quản trị hệ thống.")
		return
	}
	q := r.URL.Query()
	dropEmpty(q)
	if q.Get("year") == "" {
		q.Set("year", strconv.Itoa(c.app.Year()))
	}
	ctx := r.Context()
	d := reportsData{Query: q, Awards: domain.Catalogue}
	f, fe := app.ParseReportQuery(q)
	if f.Year != 0 {
		cs, err := c.app.Campaigns(ctx, a, app.CampaignFilter{Year: f.Year})
		if err != nil {
			c.failPage(w, r, err)
			return
		}
		d.Campaigns = cs
	}
	if len(fe) > 0 {
		c.badFilter(w, r, "reports", "Báo cáo tổng hợp", d, fe)
		return
	}
	sm, err := c.app.ReportSummary(ctx, a, f)
	if err != nil {
		c.failPage(w, r, err)
		return
	}
	d.Summary, d.Shown = sm, true
	t := sm.Totals
	d.Outcomes = newChart("bieu-do-ket-qua", "Số hồ sơ theo kết quả",
		[]string{"Đã nộp", "Đang xử lý", "Đã khen thưởng", "Không khen thưởng", "Bị trả lại", "Đã rút", "Đang quá hạn"},
		[]int64{t.Submitted, t.Active, t.Awarded, t.Rejected, t.Returned, t.Withdrawn, t.Overdue},
		[]string{fmt.Sprint(t.Submitted), fmt.Sprint(t.Active), fmt.Sprint(t.Awarded), fmt.Sprint(t.Rejected), fmt.Sprint(t.Returned), fmt.Sprint(t.Withdrawn), fmt.Sprint(t.Overdue)},
		[]string{"tdkt-bar--blue", "tdkt-bar--blue", "tdkt-bar--green", "tdkt-bar--red", "tdkt-bar--orange", "tdkt-bar--grey", "tdkt-bar--red"})
	var labels, show []string
	var values []int64
	for _, s := range t.Stages {
		labels = append(labels, app.StageName(s.Stage))
		if s.MedianDays == nil {
			values, show = append(values, 0), append(show, "—")
			continue
		}
		values = append(values, int64(*s.MedianDays))
		show = append(show, fmt.Sprintf("%d (P90: %d)", *s.MedianDays, *s.P90Days))
	}
	d.Days = newChart("bieu-do-ngay", "Trung vị số ngày làm việc mỗi giai đoạn", labels, values, show, []string{"tdkt-bar--blue"})
	dl := url.Values{}
	for _, k := range []string{"year", "campaign", "unit", "award"} {
		if v := q.Get(k); v != "" {
			dl.Set(k, v)
		}
	}
	d.CSV, d.XLSX = "/reports/summary.csv?"+dl.Encode(), "/reports/summary.xlsx?"+dl.Encode()
	c.render(w, r, http.StatusOK, "reports", "Báo cáo tổng hợp", d, "", nil)
}

// reportDownload sends the summary as a spreadsheet:
// GET /reports/summary.csv, /reports/summary.xlsx.
func (c *Console) reportDownload(ext string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a := actorOf(r)
		if !app.MayReadReports(a) {
			c.errorPage(w, r, http.StatusForbidden, "Báo cáo dành cho chuyên viên, Chủ tịch UBND tỉnh và quản trị hệ thống.")
			return
		}
		f, fe := app.ParseReportQuery(r.URL.Query())
		if len(fe) > 0 {
			var parts []string
			for _, e := range fe {
				parts = append(parts, app.VietnameseField(e).Message)
			}
			c.errorPage(w, r, http.StatusUnprocessableEntity, "Bộ lọc chưa hợp lệ: "+strings.Join(parts, "; ")+".")
			return
		}
		sm, err := c.app.ReportSummary(r.Context(), a, f)
		if err != nil {
			c.failPage(w, r, err)
			return
		}
		var b []byte
		ctype := app.XLSXType
		if ext == "csv" {
			b, err = sm.CSV()
			ctype = app.CSVType + "; charset=utf-8"
		} else {
			b, err = sm.XLSX()
		}
		if err != nil {
			c.failPage(w, r, err)
			return
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Content-Disposition", app.ContentDisposition("attachment", sm.ReportFileName(ext)))
		_, _ = w.Write(b)
	}
}
