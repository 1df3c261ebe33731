package app

import (
	"strings"
	"testing"

	"tdkt/domain"
)

// Every code a person can see has a Vietnamese name.
func TestEveryCodeHasAVietnameseName(t *testing.T) {
	for _, r := range domain.Table {
		if ActionNames[r.Action] == "" {
			t.Errorf("action %s has no name", r.Action)
		}
	}
	for _, k := range domain.DocumentKinds {
		if DocumentKindNames[k] == "" {
			t.Errorf("document kind %s has no name", k)
		}
	}
	for _, k := range domain.Kinds {
		if KindNames[k] == "" {
			t.Errorf("kind %s has no name", k)
		}
	}
	for _, r := range domain.Roles {
		if RoleNames[r] == "" {
			t.Errorf("role %s has no name", r)
		}
	}
	for _, s := range domain.Statuses {
		if StatusNames[s] == "" {
			t.Errorf("status %s has no name", s)
		}
	}
	for _, a := range domain.Catalogue {
		if AuthorityNames[a.Authority] == "" {
			t.Errorf("authority %s has no name", a.Authority)
		}
	}
	for _, s := range domain.Stages {
		if StageName(s.Stage) == string(s.Stage) {
			t.Errorf("stage %s has no name", s.Stage)
		}
	}
}

// The refusals people meet read in Vietnamese, each field named.
func TestRefusalsInVietnamese(t *testing.T) {
	sub := domain.Submission{AwardCode: "NOPE", Kind: "x", Procedure: "y", Nominee: domain.Nominee{Type: "z"}}
	err := domain.ValidateSubmission(sub)
	if err == nil {
		t.Fatal("an empty submission passed")
	}
	msg, fields := Vietnamese(fromDomain(err, domain.ActSubmit))
	if !strings.Contains(msg, "chưa hợp lệ") || len(fields) != len(err.Fields) {
		t.Fatalf("%s %v", msg, fields)
	}
	for i, f := range fields {
		if strings.HasSuffix(f.Message, " không hợp lệ") && !strings.Contains(err.Fields[i].Message, "must be") {
			t.Errorf("%s: %q has no translation (%q)", f.Field, err.Fields[i].Message, f.Message)
		}
		if strings.Contains(f.Message, err.Fields[i].Message) {
			t.Errorf("%s: still English: %q", f.Field, f.Message)
		}
	}
	for _, c := range []struct {
		e    *Error
		want string
	}{
		{&Error{Kind: domain.ErrConflict, Stage: domain.Reception, Action: domain.ActApprove, Detail: "approve is not allowed"}, "«thẩm định đạt» khi hồ sơ đang ở giai đoạn «tiếp nhận»"},
		{&Error{Kind: domain.ErrConflict, Stage: domain.Council, Action: domain.ActVote, Detail: "you have already voted on this dossier"}, "đã bỏ phiếu"},
		{&Error{Kind: domain.ErrConflict, Stage: domain.Awarded, Action: domain.ActReject, Detail: "the dossier is awarded"}, "đã kết thúc"},
		{&Error{Kind: domain.ErrForbidden, Action: domain.ActDecide}, "«quyết định khen thưởng»"},
		{&Error{Kind: domain.ErrStale}, "vừa được người khác cập nhật"},
		{&Error{Kind: domain.ErrNotFound, Detail: "no such dossier"}, "Không tìm thấy hồ sơ"},
		{&Error{Kind: ErrUnsupported}, "PDF, DOC, DOCX"},
		{&Error{Kind: ErrUnavailable}, "thử lại sau"},
		{&Error{Kind: ErrInternal}, "lỗi hệ thống"},
	} {
		if got, _ := Vietnamese(c.e); !strings.Contains(got, c.want) {
			t.Errorf("%s: %q does not say %q", c.e.Kind, got, c.want)
		}
	}
	// Comment required, as the workflow says it.
	f := VietnameseField(domain.FieldError{Field: "comment", Message: "a comment is required to reject"})
	if f.Message != "Ý kiến là bắt buộc với thao tác này" {
		t.Errorf("%q", f.Message)
	}
}
