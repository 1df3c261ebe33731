package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"tdkt/app"
	"tdkt/domain"
	"tdkt/workflows"
)

// Batches: the officer drafts one decision (or proposal) for many dossiers
// in decision, the chairman reviews and signs it, everyone downloads the
// signed document (issue 12).

type batchesData struct {
	Batches  []workflows.BatchView
	MayDraft bool
}

// batches lists the batches: GET /batches.
func (c *Console) batches(w http.ResponseWriter, r *http.Request) {
	a := actorOf(r)
	vs, err := c.app.ListBatches(r.Context(), a, app.MaxLimit)
	if err != nil {
		c.failPage(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "batches", "Danh sách khen thưởng", batchesData{Batches: vs, MayDraft: a.Has(domain.RoleOfficer)}, "", nil)
}

type newBatchData struct {
	// Candidates are the dossiers a batch may take now: in decision (a
	// decision or a proposal, by authority), or awaiting the central
	// decision.
	Decision, Central []domain.View
	Form              url.Values
	Chosen            map[string]bool
}

// newBatch is the drafting form: GET /batches/new (officer).
func (c *Console) newBatch(w http.ResponseWriter, r *http.Request) {
	c.renderNewBatch(w, r, http.StatusOK, url.Values{"kind": {string(workflows.BatchDecision)}}, "", nil)
}

func (c *Console) renderNewBatch(w http.ResponseWriter, r *http.Request, status int, form url.Values, problem string, errs []domain.FieldError) {
	a := actorOf(r)
	if !a.Has(domain.RoleOfficer) {
		c.errorPage(w, r, http.StatusForbidden, "Chỉ chuyên viên mới lập danh sách khen thưởng.")
		return
	}
	d := newBatchData{Form: form, Chosen: map[string]bool{}}
	for _, id := range form["dossiers"] {
		d.Chosen[id] = true
	}
	ctx := r.Context()
	for _, st := range []domain.Stage{domain.Decision, domain.PMDecision, domain.PresidentDecision} {
		vs, _, err := c.app.List(ctx, a, app.ListFilter{Stage: string(st), Limit: app.MaxLimit})
		if err != nil {
			c.failPage(w, r, err)
			return
		}
		if st == domain.Decision {
			d.Decision = append(d.Decision, vs...)
		} else {
			d.Central = append(d.Central, vs...)
		}
	}
	c.render(w, r, status, "batchnew", "Lập danh sách khen thưởng", d, problem, errs)
}

// createBatch drafts it: POST /batches.
func (c *Console) createBatch(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	req := app.BatchRequest{Kind: workflows.BatchKind(f.Get("kind")), Title: f.Get("title"), Dossiers: f["dossiers"],
		Number: strings.TrimSpace(f.Get("number")), Date: strings.TrimSpace(f.Get("date"))}
	v, err := c.app.CreateBatch(r.Context(), actorOf(r), req)
	if err != nil {
		if ownPage(err, false) {
			c.failPage(w, r, err)
			return
		}
		msg, fields := app.Vietnamese(err)
		c.renderNewBatch(w, r, statusOf(err), f, msg, fields)
		return
	}
	c.flash(r, fmt.Sprintf("Đã lập danh sách %s gồm %d hồ sơ. Chủ tịch xem và ký tại trang này.", v.ID, len(v.Dossiers)))
	http.Redirect(w, r, "/batches/"+url.PathEscape(v.ID), http.StatusSeeOther)
}

type batchData struct {
	B        workflows.BatchView
	Dossiers []domain.View
	Dropped  []batchDroppedRow
	MaySign  bool
	KindName string
}

type batchDroppedRow struct {
	D      domain.View
	Reason string
}

var batchKindNames = map[workflows.BatchKind]string{
	workflows.BatchDecision:        "Quyết định khen thưởng của Chủ tịch UBND tỉnh",
	workflows.BatchProposal:        "Tờ trình đề nghị cấp trên khen thưởng",
	workflows.BatchCentralDecision: "Quyết định khen thưởng của Trung ương (ghi nhận)",
}

// batch shows one batch: GET /batches/{id}.
func (c *Console) batch(w http.ResponseWriter, r *http.Request) {
	c.renderBatch(w, r, http.StatusOK, "", nil)
}

func (c *Console) renderBatch(w http.ResponseWriter, r *http.Request, status int, problem string, errs []domain.FieldError) {
	a := actorOf(r)
	ctx := r.Context()
	b, err := c.app.Batch(ctx, a, r.PathValue("id"))
	if err != nil {
		c.failPage(w, r, err)
		return
	}
	d := batchData{B: b, MaySign: b.Status == "draft" && a.Has(b.Kind.Signer()), KindName: batchKindNames[b.Kind]}
	ids := b.Dossiers
	if b.Status == "signed" {
		ids = b.Moved
	}
	for _, id := range ids {
		v, err := c.app.Dossier(ctx, a, id)
		if err != nil {
			c.failPage(w, r, err)
			return
		}
		d.Dossiers = append(d.Dossiers, v)
	}
	for _, x := range b.Dropped {
		v, err := c.app.Dossier(ctx, a, x.DossierID)
		if err != nil {
			c.failPage(w, r, err)
			return
		}
		d.Dropped = append(d.Dropped, batchDroppedRow{D: v, Reason: x.Reason})
	}
	c.render(w, r, status, "batch", b.Title, d, problem, errs)
}

// signBatch signs it: POST /batches/{id}/sign.
func (c *Console) signBatch(w http.ResponseWriter, r *http.Request) {
	b, err := c.app.SignBatch(r.Context(), actorOf(r), r.PathValue("id"), formVersion(r))
	if err != nil {
		if ownPage(err, true) {
			c.failPage(w, r, err)
			return
		}
		msg, fields := app.Vietnamese(err)
		c.renderBatch(w, r, statusOf(err), msg, fields)
		return
	}
	moved := "được khen thưởng"
	if b.Kind == workflows.BatchProposal {
		moved = "được trình cấp trên xem xét"
	}
	msg := fmt.Sprintf("Đã ký văn bản số %s: %d hồ sơ %s", b.Number, len(b.Moved), moved)
	if len(b.Dropped) > 0 {
		msg += fmt.Sprintf(", %d hồ sơ bị loại khỏi danh sách (xem lý do bên dưới)", len(b.Dropped))
	}
	c.flash(r, msg+".")
	http.Redirect(w, r, "/batches/"+url.PathEscape(b.ID), http.StatusSeeOther)
}

// batchDocument downloads the signed document: GET /batches/{id}/document.
func (c *Console) batchDocument(w http.ResponseWriter, r *http.Request) {
	name, pdf, err := c.app.BatchDocument(r.Context(), actorOf(r), r.PathValue("id"))
	if err != nil {
		c.failPage(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", app.ContentDisposition("attachment", name))
	_, _ = w.Write(pdf)
}
