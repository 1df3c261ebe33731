package web

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"tdkt/app"
	"tdkt/domain"
)

// docStatus is one line of the document checklist (task list).
type docStatus struct {
	Kind     domain.DocumentKind
	Have     int
	Required bool
	Asked    bool // the return listed it as missing
}

type dossierData struct {
	D         domain.View
	History   []domain.HistoryEntry
	Checklist []docStatus
	Award     domain.Award
	CanUpload bool
	Kinds     []domain.DocumentKind // the upload form's choices, what is missing first
	Return    *domain.HistoryEntry  // the return a dossier in supplement answers
	Quorum    int
	MaxMB     int64
	// UploadKey is the upload form's Idempotency-Key: a double click, or a
	// form sent again after a lost answer, attaches the document once.
	UploadKey string
	Actions   []actionLink
	Workflow  string
	// Session is the open council session whose agenda holds the dossier,
	// when the person may read it (its title; the id alone otherwise).
	Session *app.Session
	// Eligibility is the eligibility panel, for the officer and the
	// chairman (eligibility.go).
	Eligibility *eligibilityPanel
	// Registration is the registration finding of a title dossier, nil
	// for an award that is no title.
	Registration *app.RegistrationCheck
}

type actionLink struct {
	Action domain.Action
	Label  string
	Style  string
}

// buttonStyle is the GOV.UK button of an action: red for what ends a
// dossier, grey for the rest of the secondary ones.
func buttonStyle(a domain.Action) string {
	switch a {
	case domain.ActReject, domain.ActDecline, domain.ActCancel, domain.ActWithdraw:
		return "govuk-button--warning"
	case domain.ActReturn:
		return "govuk-button--secondary"
	}
	return ""
}

func (c *Console) dossierData(r *http.Request, v domain.View) (dossierData, error) {
	a := actorOf(r)
	h, err := c.app.History(r.Context(), a, v.ID)
	if err != nil {
		return dossierData{}, err
	}
	aw, _ := domain.AwardByCode(v.AwardCode)
	d := dossierData{D: v, History: h, Award: aw, Quorum: c.app.Policy().Quorum(), MaxMB: c.app.MaxUpload() >> 20, UploadKey: rand.Text(),
		Kinds: domain.DocumentKinds}
	if d.Registration, err = c.app.RegistrationFinding(r.Context(), v); err != nil {
		return dossierData{}, err
	}
	d.CanUpload = a.Has(domain.RoleUnit) && a.Unit == v.Unit && (v.Stage == domain.Reception || v.Stage == domain.Supplement)
	if v.Stage == domain.Supplement {
		for i := len(h) - 1; i >= 0; i-- {
			if h[i].Action == domain.ActReturn {
				e := h[i]
				d.Return = &e
				break
			}
		}
	}
	required := domain.RequiredDocuments(aw, v.Procedure)
	for _, k := range domain.DocumentKinds {
		st := docStatus{Kind: k, Required: slices.Contains(required, k)}
		for _, doc := range v.Documents {
			if doc.Kind == k {
				st.Have++
			}
		}
		if d.Return != nil && d.Return.Details != nil {
			st.Asked = slices.Contains(d.Return.Details.Missing, k)
		}
		if st.Required || st.Have > 0 || st.Asked {
			d.Checklist = append(d.Checklist, st)
		}
	}
	d.Kinds = nil
	for _, st := range d.Checklist {
		if st.Have == 0 && (st.Required || st.Asked) || st.Asked {
			d.Kinds = append(d.Kinds, st.Kind)
		}
	}
	for _, k := range domain.DocumentKinds {
		if !slices.Contains(d.Kinds, k) {
			d.Kinds = append(d.Kinds, k)
		}
	}
	for _, act := range v.AllowedActions {
		d.Actions = append(d.Actions, actionLink{Action: act, Label: app.ActionName(act, v.Stage), Style: buttonStyle(act)})
	}
	if a.Has(domain.RoleAdmin) {
		d.Workflow = c.workflowURL(v.ID)
	}
	if v.CouncilSession != "" {
		if s, err := c.app.Session(r.Context(), a, v.CouncilSession); err == nil {
			d.Session = &s
		}
	}
	d.Eligibility = c.eligibilityPanelFor(r, a, v)
	return d, nil
}

// dossier is a dossier's page: summary, documents, votes, what the person
// may do now, and the history as a timeline.
func (c *Console) dossier(w http.ResponseWriter, r *http.Request) {
	v, err := c.app.Dossier(r.Context(), actorOf(r), r.PathValue("id"))
	if err != nil {
		c.failPage(w, r, err)
		return
	}
	c.renderDossier(w, r, http.StatusOK, v, "", nil)
}

func (c *Console) renderDossier(w http.ResponseWriter, r *http.Request, status int, v domain.View, problem string, errs []domain.FieldError) {
	d, err := c.dossierData(r, v)
	if err != nil {
		c.failPage(w, r, err)
		return
	}
	c.render(w, r, status, "dossier", "Hồ sơ "+v.ID, d, problem, errs)
}

// upload attaches a document from the dossier page's form. The whole form
// is read (spooled to disk past 8 MB) before anything is stored, so no
// database connection waits on a slow client; the file then goes through
// app.ReceiveDocument and StoreDocument like the API's.
func (c *Console) upload(w http.ResponseWriter, r *http.Request) {
	a := actorOf(r)
	ctx := r.Context()
	r.Body = http.MaxBytesReader(w, r.Body, c.app.MaxUpload()+app.MultipartOverhead)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			c.uploadRefused(w, r, app.UploadError(err))
			return
		}
		c.errorPage(w, r, http.StatusBadRequest, "Biểu mẫu tải tệp không đọc được. Vui lòng chọn lại tệp và gửi lại.")
		return
	}
	defer r.MultipartForm.RemoveAll()
	if !c.validCSRF(r, r.PostFormValue(CSRFField)) {
		c.csrfRefused(w, r)
		return
	}
	v, err := c.app.UploadTarget(ctx, a, r.PathValue("id"))
	if err != nil {
		c.uploadRefused(w, r, err)
		return
	}
	kind := r.PostFormValue("kind")
	f, fh, err := r.FormFile("file")
	if err != nil {
		c.uploadRefused(w, r, &app.Error{Kind: domain.ErrInvalid, Detail: "some fields are not valid",
			Fields: []domain.FieldError{{Field: "file", Message: "is required"}}})
		return
	}
	defer f.Close()
	file, err := c.app.ReceiveDocument(f, fh.Filename)
	if err != nil {
		c.uploadRefused(w, r, err)
		return
	}
	defer file.Close()
	doc, err := c.app.StoreDocument(ctx, v, kind, file)
	if err != nil {
		c.uploadRefused(w, r, err)
		return
	}
	if _, _, _, err := c.app.AttachDocument(ctx, a, v, doc, r.PostFormValue("key")); err != nil {
		c.uploadRefused(w, r, err)
		return
	}
	c.flash(r, fmt.Sprintf("Đã đính kèm «%s» (%s).", doc.Filename, app.DocumentKindNames[doc.Kind]))
	http.Redirect(w, r, "/dossiers/"+url.PathEscape(v.ID)+"#tai-lieu", http.StatusSeeOther)
}

// uploadRefused shows the dossier again with why the upload was refused.
func (c *Console) uploadRefused(w http.ResponseWriter, r *http.Request, err error) {
	e := app.AsError(err)
	msg, fields := app.Vietnamese(err)
	if e.Kind == app.ErrTooLarge {
		msg = fmt.Sprintf("Tệp quá lớn: mỗi tài liệu tối đa %d MB.", c.app.MaxUpload()>>20)
		fields = []domain.FieldError{{Field: "file", Message: msg}}
	}
	if e.Kind == app.ErrUnsupported {
		fields = []domain.FieldError{{Field: "file", Message: msg}}
	}
	v, gerr := c.app.Dossier(r.Context(), actorOf(r), r.PathValue("id"))
	if gerr != nil {
		c.failPage(w, r, gerr)
		return
	}
	c.renderDossier(w, r, statusOf(err), v, msg, fields)
}

// document sends a document's bytes: shown in the browser for PDF and
// images, downloaded otherwise. The sandbox keeps a hostile PDF from
// running anything as the console.
func (c *Console) document(w http.ResponseWriter, r *http.Request) {
	doc, rc, err := c.app.OpenDocument(r.Context(), actorOf(r), r.PathValue("id"), r.PathValue("doc"))
	if err != nil {
		c.failPage(w, r, err)
		return
	}
	defer rc.Close()
	disp := "attachment"
	if inlineType(doc.ContentType) && r.URL.Query().Get("download") == "" {
		disp = "inline"
	}
	h := w.Header()
	h.Set("Content-Type", doc.ContentType)
	h.Set("Content-Length", strconv.FormatInt(doc.Size, 10))
	h.Set("Content-Disposition", app.ContentDisposition(disp, doc.Filename))
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'; img-src 'self'; object-src 'self'; plugin-types application/pdf")
	h.Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusOK)
	if _, err := io.Copy(w, rc); err != nil {
		c.log.Warn("console document download interrupted", "document", doc.ID, "error", err)
	}
}

func inlineType(ct string) bool {
	return ct == app.TypePDF || ct == app.TypeJPEG || ct == app.TypePNG
}

type documentData struct {
	D      domain.View
	Doc    domain.Document
	Src    string
	PDF    bool
	Image  bool
	Inline bool
}

// documentView shows a PDF or an image inside a page of the console.
func (c *Console) documentView(w http.ResponseWriter, r *http.Request) {
	v, err := c.app.Dossier(r.Context(), actorOf(r), r.PathValue("id"))
	if err != nil {
		c.failPage(w, r, err)
		return
	}
	id := r.PathValue("doc")
	for _, doc := range v.Documents {
		if doc.ID == id {
			src := "/dossiers/" + url.PathEscape(v.ID) + "/documents/" + url.PathEscape(doc.ID)
			d := documentData{D: v, Doc: doc, Src: src, PDF: doc.ContentType == app.TypePDF,
				Image: doc.ContentType == app.TypeJPEG || doc.ContentType == app.TypePNG}
			d.Inline = d.PDF || d.Image
			c.render(w, r, http.StatusOK, "document", doc.Filename, d, "", nil)
			return
		}
	}
	c.errorPage(w, r, http.StatusNotFound, "Không tìm thấy tài liệu.")
}

type actionData struct {
	D         domain.View
	Action    domain.Action
	Label     string
	Allowed   bool
	Form      url.Values
	Kinds     []domain.DocumentKind
	Required  []domain.DocumentKind
	Next      string // the number the chairman's decide or propose will issue
	Central   bool   // decide/propose at a central stage: number and date typed in
	NeedsNote bool   // a comment is required
	Quorum    int
	Style     string
	// Absent are the roster's members who have not voted (a written
	// opinion picks one); none without a roster.
	Absent []domain.CouncilMember
}

// actionPage is the page of one action: its form, what it will do, and a
// confirmation where it cannot be undone.
func (c *Console) actionPage(w http.ResponseWriter, r *http.Request) {
	a := actorOf(r)
	v, err := c.app.Dossier(r.Context(), a, r.PathValue("id"))
	if err != nil {
		c.failPage(w, r, err)
		return
	}
	action := domain.Action(r.PathValue("action"))
	if err := app.KnownAction(action); err != nil {
		c.failPage(w, r, err)
		return
	}
	c.renderAction(w, r, http.StatusOK, v, action, url.Values{}, "", nil)
}

func (c *Console) renderAction(w http.ResponseWriter, r *http.Request, status int, v domain.View, action domain.Action, form url.Values, problem string, errs []domain.FieldError) {
	aw, _ := domain.AwardByCode(v.AwardCode)
	d := actionData{D: v, Action: action, Label: app.ActionName(action, v.Stage), Form: form, Kinds: domain.DocumentKinds,
		Required: domain.RequiredDocuments(aw, v.Procedure), Quorum: c.app.Policy().Quorum(), Style: buttonStyle(action)}
	d.Allowed = slices.Contains(v.AllowedActions, action)
	central := v.Stage == domain.PMDecision || v.Stage == domain.PresidentDecision
	d.Central = central && (action == domain.ActDecide || action == domain.ActPropose)
	d.NeedsNote = action == domain.ActReturn || action == domain.ActReject || action == domain.ActDecline || action == domain.ActCancel
	if d.Allowed && !central && v.Stage == domain.Decision {
		if action == domain.ActDecide || action == domain.ActPropose {
			d.Next = c.app.NextNumber(r.Context(), action)
		}
	}
	if action == domain.ActWrittenOpinion && d.Allowed {
		absent, err := c.app.YetToVote(r.Context(), actorOf(r), v.ID)
		if err != nil {
			c.log.Warn("console: members yet to vote", "dossier", v.ID, "error", err)
		}
		d.Absent = absent
	}
	if problem == "" && !d.Allowed && status == http.StatusOK {
		problem = fmt.Sprintf("Bạn không thể «%s» hồ sơ này lúc này (giai đoạn «%s»).", strings.ToLower(d.Label), app.StageName(v.Stage))
	}
	c.render(w, r, status, "action", d.Label+" – "+v.ID, d, problem, errs)
}

// act takes the action. A refusal shows the same form again with the
// reason at the top, and nothing has changed.
func (c *Console) act(w http.ResponseWriter, r *http.Request) {
	a := actorOf(r)
	ctx := r.Context()
	id := r.PathValue("id")
	action := domain.Action(r.PathValue("action"))
	f := r.PostForm
	req := app.ActionRequest{Action: action, Comment: strings.TrimSpace(f.Get("comment")),
		Number: f.Get("number"), Date: f.Get("date")}
	req.IfMatch = formVersion(r)
	for _, k := range f["missing"] {
		req.Missing = append(req.Missing, domain.DocumentKind(k))
	}
	req.Member = strings.TrimSpace(f.Get("member"))
	if action == domain.ActVote || action == domain.ActWrittenOpinion {
		switch f.Get("approve") {
		case "yes":
			t := true
			req.Approve = &t
		case "no":
			no := false
			req.Approve = &no
		}
	}
	nv, err := c.app.Act(ctx, a, id, req)
	if err != nil {
		if ownPage(err, true) {
			c.failPage(w, r, err)
			return
		}
		msg, fields := app.Vietnamese(err)
		v, gerr := c.app.Dossier(ctx, a, id)
		if gerr != nil {
			c.failPage(w, r, gerr)
			return
		}
		c.renderAction(w, r, statusOf(err), v, action, f, msg, fields)
		return
	}
	msg := fmt.Sprintf("Đã thực hiện «%s». Hồ sơ %s hiện ở giai đoạn «%s».", app.ActionName(action, ""), nv.ID, app.StageName(nv.Stage))
	switch {
	case action == domain.ActVote:
		msg = "Phiếu của bạn đã được ghi nhận. Kết quả chỉ được công bố khi kết thúc bỏ phiếu."
	case nv.Decision != nil && (action == domain.ActDecide):
		msg = fmt.Sprintf("Đã ban hành Quyết định số %s ngày %s. Hồ sơ %s: %s.", nv.Decision.Number, dateVN(nv.Decision.Date), nv.ID, app.StageName(nv.Stage))
	case nv.Proposal != nil && action == domain.ActPropose && nv.Stage == domain.CentralAppraisal:
		msg = fmt.Sprintf("Đã ban hành Tờ trình số %s ngày %s. Hồ sơ %s chuyển Ban TĐKT Trung ương.", nv.Proposal.Number, dateVN(nv.Proposal.Date), nv.ID)
	}
	c.flash(r, msg)
	http.Redirect(w, r, "/dossiers/"+url.PathEscape(nv.ID), http.StatusSeeOther)
}
