package domain_test

// Required documents, and documents a return asked for.

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"tdkt/domain"
)

func TestRequiredDocuments(t *testing.T) {
	for _, s := range specCatalogue {
		a, _ := domain.AwardByCode(s.code)
		want := []string{"bao_cao_thanh_tich", "bien_ban_hop", "to_trinh"}
		if s.code == "CSTD_TINH" || s.code == "CSTD_TOAN_QUOC" {
			want = []string{"bao_cao_thanh_tich", "bien_ban_hop", "to_trinh", "xac_nhan_sang_kien"}
		}
		if got := sortedKinds(domain.RequiredDocuments(a, "regular")); !reflect.DeepEqual(got, want) {
			t.Errorf("RequiredDocuments(%s, regular) = %v, want %v", s.code, got, want)
		}
		if got := sortedKinds(domain.RequiredDocuments(a, "simplified")); !reflect.DeepEqual(got, []string{"to_trinh", "tom_tat_thanh_tich"}) {
			t.Errorf("RequiredDocuments(%s, simplified) = %v", s.code, got)
		}
	}
	if got := sortedKinds(domain.DocumentKinds); !reflect.DeepEqual(got, []string{"bao_cao_thanh_tich", "bien_ban_hop", "khac", "to_trinh", "tom_tat_thanh_tich", "xac_nhan_sang_kien"}) {
		t.Errorf("DocumentKinds = %v", got)
	}
	if domain.ValidDocumentKind("ban_sao") || !domain.ValidDocumentKind("khac") {
		t.Errorf("ValidDocumentKind wrong")
	}
}

func attach(kind domain.DocumentKind, n int) domain.Command {
	return domain.Command{Action: domain.ActAttachDocument, Actor: unitOwn, Document: &domain.Document{
		ID: "doc-" + string(kind) + string(rune('0'+n)), Kind: kind, Filename: string(kind) + ".pdf", Size: 1024, ContentType: "application/pdf"}}
}

func TestMissingDocuments(t *testing.T) {
	t.Run("regular CSTD_TINH", func(t *testing.T) {
		h := incomplete(t, "CSTD_TINH")
		if got := sortedKinds(h.d.MissingDocuments()); !reflect.DeepEqual(got, []string{"bao_cao_thanh_tich", "bien_ban_hop", "to_trinh", "xac_nhan_sang_kien"}) {
			t.Errorf("missing at start = %v", got)
		}
		for i, k := range []domain.DocumentKind{"to_trinh", "bao_cao_thanh_tich", "bien_ban_hop", "khac"} {
			h.do(attach(k, i))
		}
		if got := sortedKinds(h.d.MissingDocuments()); !reflect.DeepEqual(got, []string{"xac_nhan_sang_kien"}) {
			t.Errorf("missing = %v, want [xac_nhan_sang_kien]", got)
		}
		h.do(attach("xac_nhan_sang_kien", 9))
		if got := h.d.MissingDocuments(); got == nil || len(got) != 0 {
			t.Errorf("missing = %#v, want an empty list", got)
		}
		if v := h.d.View(); len(v.Documents) != 5 || len(v.MissingDocuments) != 0 {
			t.Errorf("view: %d documents, missing %v", len(v.Documents), v.MissingDocuments)
		}
	})
	t.Run("simplified BK_TTG", func(t *testing.T) {
		h := bare(t, "BK_TTG", "adhoc", "simplified", domain.DefaultPolicy())
		if got := sortedKinds(h.d.MissingDocuments()); !reflect.DeepEqual(got, []string{"to_trinh", "tom_tat_thanh_tich"}) {
			t.Errorf("missing at start = %v", got)
		}
		h.do(attach("to_trinh", 1))
		h.do(attach("tom_tat_thanh_tich", 2))
		if got := h.d.MissingDocuments(); len(got) != 0 {
			t.Errorf("missing = %v, want none", got)
		}
	})
	t.Run("after a return listing bien_ban_hop", func(t *testing.T) {
		h := incomplete(t, "BK_UBND_TINH")
		for i, k := range []domain.DocumentKind{"to_trinh", "bao_cao_thanh_tich", "bien_ban_hop"} {
			h.do(attach(k, i))
		}
		h.do(cAccept(officer))
		if got := h.d.MissingDocuments(); len(got) != 0 {
			t.Fatalf("missing before the return = %v", got)
		}
		h.do(cReturn(officer, "bien_ban_hop"))
		// The old minutes do not count: the return asked for new ones.
		if got := sortedKinds(h.d.MissingDocuments()); !reflect.DeepEqual(got, []string{"bien_ban_hop"}) {
			t.Errorf("missing after the return = %v, want [bien_ban_hop]", got)
		}
		if got := sortedKinds(h.d.View().MissingDocuments); !reflect.DeepEqual(got, []string{"bien_ban_hop"}) {
			t.Errorf("view missing after the return = %v", got)
		}
		h.do(attach("khac", 5))
		h.do(attach("to_trinh", 6))
		if got := sortedKinds(h.d.MissingDocuments()); !reflect.DeepEqual(got, []string{"bien_ban_hop"}) {
			t.Errorf("missing after other uploads = %v, want [bien_ban_hop]", got)
		}
		h.do(attach("bien_ban_hop", 7))
		if got := h.d.MissingDocuments(); len(got) != 0 {
			t.Errorf("missing after new minutes = %v, want none", got)
		}
		h.do(cResubmit(unitOwn))
		h.expectStage("appraisal", "resubmit")
		if got := h.d.MissingDocuments(); len(got) != 0 {
			t.Errorf("missing after resubmit = %v, want none", got)
		}
	})
	t.Run("a return listing a kind never uploaded", func(t *testing.T) {
		h := incomplete(t, "BK_UBND_TINH")
		h.do(cReturn(officer, "khac"))
		got := h.d.MissingDocuments()
		if !slices.Contains(got, "khac") || !slices.Contains(got, "to_trinh") || len(got) != 4 {
			t.Errorf("missing = %v, want the three required and khac", got)
		}
		if c := slices.Clone(got); len(slices.Compact(sortedKinds(c))) != len(got) {
			t.Errorf("missing lists a kind twice: %v", got)
		}
	})
	t.Run("a return listing a required kind lists it once", func(t *testing.T) {
		h := incomplete(t, "BK_UBND_TINH")
		h.do(cReturn(officer, "bien_ban_hop", "to_trinh"))
		if got := sortedKinds(h.d.MissingDocuments()); !reflect.DeepEqual(got, []string{"bao_cao_thanh_tich", "bien_ban_hop", "to_trinh"}) {
			t.Errorf("missing = %v", got)
		}
	})
}

// TestAttachDocument: only the dossier's own unit attaches, in reception and
// supplement.
func TestAttachDocument(t *testing.T) {
	h := incomplete(t, "BK_UBND_TINH")
	c := attach("to_trinh", 1)
	c.Actor = unitOther
	refusedUnchanged(t, h.d, c, domain.ErrNotFound)
	c.Actor = officer
	refusedUnchanged(t, h.d, c, domain.ErrForbidden)
	bad := attach("ban_sao", 1)
	refusedUnchanged(t, h.d, bad, domain.ErrInvalid)
	out := h.do(attach("to_trinh", 1))
	if e := out[0]; e.Action != "attach_document" || e.From != "reception" || e.To != "reception" || e.Details == nil || e.Details.Document == nil || e.Details.Document.Kind != "to_trinh" {
		t.Errorf("attach entry = %+v", e)
	}
	if len(h.d.DocumentTimes) != 1 || !h.d.DocumentTimes[0].Equal(h.now) {
		t.Errorf("DocumentTimes = %v", h.d.DocumentTimes)
	}
	h.do(attach("bao_cao_thanh_tich", 3))
	h.do(attach("bien_ban_hop", 4))
	h.do(cAccept(officer))
	refusedUnchanged(t, h.d, attach("khac", 2), domain.ErrConflict)
	h.do(cReturn(officer))
	h.do(attach("khac", 2))
}

// Completeness (DOMAIN.md Rules): reception's accept and appraisal's
// approve are refused while a required kind of document is missing, naming
// the missing kinds; the officer may still return the dossier.
func TestCompletenessRefusesAcceptAndApprove(t *testing.T) {
	h := incomplete(t, "CSTD_TINH")
	h.do(attach("to_trinh", 1))
	e := refusedUnchanged(t, h.d, cAccept(officer), domain.ErrConflict)
	if got := sortedKinds(e.Missing); !reflect.DeepEqual(got, []string{"bao_cao_thanh_tich", "bien_ban_hop", "xac_nhan_sang_kien"}) {
		t.Errorf("missing named = %v", got)
	}
	if !strings.Contains(e.Detail, "bien_ban_hop") {
		t.Errorf("detail %q does not name the missing kinds", e.Detail)
	}
	if slices.Contains(h.d.View().AllowedFor(officer, false), domain.ActAccept) {
		t.Error("accept offered on an incomplete dossier")
	}
	h.do(cReturn(officer, "bien_ban_hop"))
	h.do(cResubmit(unitOwn))
	for i, k := range []domain.DocumentKind{"bao_cao_thanh_tich", "bien_ban_hop", "xac_nhan_sang_kien"} {
		h.do(attach(k, 10+i))
	}
	h.do(cAccept(officer))
	h.do(cApprove())

	// A dossier accepted before the rule, still incomplete in appraisal:
	// approve waits for the missing kinds.
	old := incomplete(t, "BK_UBND_TINH")
	old.d.Stage = domain.Appraisal
	e = refusedUnchanged(t, old.d, cApprove(), domain.ErrConflict)
	if got := sortedKinds(e.Missing); !reflect.DeepEqual(got, []string{"bao_cao_thanh_tich", "bien_ban_hop", "to_trinh"}) {
		t.Errorf("missing named at appraisal = %v", got)
	}
}
