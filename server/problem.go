package server

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"golang.org/x/text/language"

	"tdkt/app"
	"tdkt/domain"
)

// Problem is an RFC 9457 problem document, the body of every 4xx and 5xx.
type Problem struct {
	Type   string              `json:"type"`
	Title  string              `json:"title"`
	Status int                 `json:"status"`
	Detail string              `json:"detail"`
	Errors []domain.FieldError `json:"errors,omitempty"`
	// Stage is the dossier's current stage, on a 409 about one.
	Stage domain.Stage `json:"stage,omitempty"`
	// MissingDocuments are the required kinds a dossier lacks, on a 409 for
	// an incomplete dossier (accept, approve).
	MissingDocuments []domain.DocumentKind `json:"missing_documents,omitempty"`
	RequestID        string                `json:"request_id,omitempty"`
	// Rows are the refused rows of a spreadsheet import (row, column,
	// value, reason in Vietnamese), RowsRefused how many were refused.
	Rows        []app.RowError `json:"rows,omitempty"`
	RowsRefused int            `json:"rows_refused,omitempty"`
	// viFields says the field messages are already in Vietnamese.
	viFields bool
	// vi is the Vietnamese detail, for a request that asks for it; when
	// empty, a sentence for the status is used.
	vi string
}

// ProblemContentType is the media type of error bodies.
const ProblemContentType = "application/problem+json"

// RetryAfterSeconds is what a 503 asks the client to wait.
const RetryAfterSeconds = 5

// problemTypes names each status's problem type; clients may switch on it.
var problemTypes = map[int]string{
	http.StatusBadRequest:            "malformed",
	http.StatusUnauthorized:          "unauthenticated",
	http.StatusForbidden:             "forbidden",
	http.StatusNotFound:              "not_found",
	http.StatusMethodNotAllowed:      "method_not_allowed",
	http.StatusConflict:              "conflict",
	http.StatusPreconditionFailed:    "stale",
	http.StatusRequestEntityTooLarge: "too_large",
	http.StatusUnsupportedMediaType:  "unsupported_media_type",
	http.StatusUnprocessableEntity:   "invalid",
	http.StatusInternalServerError:   "internal",
	http.StatusServiceUnavailable:    "unavailable",
}

// problem writes a problem document and aborts the handler chain.
func problem(c *gin.Context, p Problem) {
	if p.Title == "" {
		p.Title = http.StatusText(p.Status)
	}
	if p.Type == "" {
		slug, ok := problemTypes[p.Status]
		if !ok {
			slug = strconv.Itoa(p.Status)
		}
		p.Type = "urn:tdkt:problem:" + slug
	}
	if p.Detail == "" {
		p.Detail = p.Title
	}
	if wantsVietnamese(c) {
		// API.md: detail and each field's message in Vietnamese with
		// Accept-Language: vi.
		if p.vi == "" {
			p.vi = viStatus[p.Status]
		}
		if p.vi != "" {
			p.Detail = p.vi
		}
		for i, f := range p.Errors {
			if !p.viFields {
				p.Errors[i] = app.VietnameseField(f)
			}
		}
		c.Header("Content-Language", "vi")
	}
	p.RequestID = requestID(c)
	if p.Status == http.StatusServiceUnavailable {
		c.Header("Retry-After", strconv.Itoa(RetryAfterSeconds))
	}
	if p.Status == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", `Bearer realm="tdkt"`)
	}
	c.Header("Cache-Control", "no-store")
	c.Render(p.Status, problemRender{p})
	c.Abort()
}

func fail(c *gin.Context, status int, format string, args ...any) {
	problem(c, Problem{Status: status, Detail: fmt.Sprintf(format, args...)})
}

func invalid(c *gin.Context, fields ...domain.FieldError) {
	problem(c, Problem{Status: http.StatusUnprocessableEntity, Detail: "some fields are not valid", Errors: fields})
}

// answer writes the error of a use case: a refusal as its 4xx, a failure
// of a backing service as 503 (unreachable) or 500, logged with the
// request id.
func (s *Server) answer(c *gin.Context, err error) {
	e := app.AsError(err)
	switch {
	case e.Recorded:
		s.log.Warn("recorded in Temporal, not yet in the read model", "request_id", requestID(c), "during", e.What, "error", e.Err)
		p := Problem{Status: http.StatusServiceUnavailable, Detail: e.Detail}
		p.vi, _ = app.Vietnamese(e)
		problem(c, p)
		return
	case e.Kind == app.ErrInternal, e.Kind == app.ErrUnavailable:
		s.internal(c, e.What, e.Err)
		return
	case e.Kind == app.ErrTooLarge:
		s.tooLarge(c)
		return
	}
	status := app.HTTPStatus(e.Kind)
	if status == 0 {
		s.internal(c, "unknown refusal "+string(e.Kind), e)
		return
	}
	p := Problem{Status: status, Detail: e.Detail, Errors: append([]domain.FieldError(nil), e.Fields...)}
	if status == http.StatusConflict || status == http.StatusPreconditionFailed {
		p.Stage = e.Stage
		p.MissingDocuments = e.Missing
	}
	if e.Import {
		p.Rows, p.RowsRefused, p.viFields = e.Rows, e.RowsRefused, true
		if p.Rows == nil {
			p.Rows = []app.RowError{}
		}
	}
	if len(e.FieldsVI) > 0 && wantsVietnamese(c) {
		// The use case worded its fields in Vietnamese itself (naming
		// another dossier, say).
		p.Errors, p.viFields = append([]domain.FieldError(nil), e.FieldsVI...), true
	}
	p.vi, _ = app.Vietnamese(e)
	problem(c, p)
}

// internal logs err with the request id and answers 500, or 503 when the
// cause is an unreachable dependency.
func (s *Server) internal(c *gin.Context, what string, err error) {
	if app.Unavailable(err) {
		s.log.Warn("dependency unavailable", "request_id", requestID(c), "during", what, "error", err)
		fail(c, http.StatusServiceUnavailable, "a backing service (Temporal or the database) is unreachable; retry shortly")
		return
	}
	s.log.Error("request failed", "request_id", requestID(c), "during", what, "error", err)
	fail(c, http.StatusInternalServerError, "internal error; quote request id %s", requestID(c))
}

// viStatus says each status in Vietnamese, for refusals made before any
// use case runs (no token, a malformed body, an unknown route).
var viStatus = map[int]string{
	http.StatusBadRequest:            "Yêu cầu không đúng định dạng.",
	http.StatusUnauthorized:          "Cần mã truy cập (bearer token) hợp lệ.",
	http.StatusForbidden:             "Vai trò của bạn không được phép thực hiện thao tác này.",
	http.StatusNotFound:              "Không tìm thấy tài nguyên này.",
	http.StatusMethodNotAllowed:      "Phương thức này không được phép ở đây.",
	http.StatusConflict:              "Thao tác không được phép ở giai đoạn hiện tại của hồ sơ.",
	http.StatusPreconditionFailed:    "Hồ sơ vừa được người khác cập nhật.",
	http.StatusRequestEntityTooLarge: "Nội dung gửi lên quá lớn.",
	http.StatusRequestURITooLong:     "Địa chỉ yêu cầu quá dài.",
	http.StatusUnsupportedMediaType:  "Định dạng nội dung không được chấp nhận.",
	http.StatusUnprocessableEntity:   "Một số trường chưa hợp lệ.",
	http.StatusInternalServerError:   "Đã có lỗi hệ thống.",
	http.StatusServiceUnavailable:    "Hệ thống tạm thời không kết nối được Temporal hoặc cơ sở dữ liệu; vui lòng thử lại sau ít giây.",
}

// wantsVietnamese reports whether the request prefers Vietnamese
// (Accept-Language, by quality).
func wantsVietnamese(c *gin.Context) bool {
	h := c.GetHeader("Accept-Language")
	if h == "" {
		return false
	}
	tags, _, err := language.ParseAcceptLanguage(h)
	if err != nil || len(tags) == 0 {
		return false
	}
	base, _ := tags[0].Base()
	return base.String() == "vi"
}
