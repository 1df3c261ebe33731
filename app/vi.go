package app

import (
	"fmt"
	"strings"

	"tdkt/domain"
)

// Vietnamese names of the codes people see. Stage names live with the
// stages (domain.Stages); these are the rest.
var (
	// ActionNames names each action as a button or a history entry says it.
	ActionNames = map[domain.Action]string{
		domain.ActAccept:              "Tiếp nhận",
		domain.ActReturn:              "Trả lại để bổ sung",
		domain.ActReject:              "Không khen thưởng",
		domain.ActResubmit:            "Nộp lại",
		domain.ActWithdraw:            "Rút hồ sơ",
		domain.ActApprove:             "Thẩm định đạt",
		domain.ActVote:                "Bỏ phiếu",
		domain.ActCloseVote:           "Kết thúc bỏ phiếu",
		domain.ActDecide:              "Quyết định khen thưởng",
		domain.ActPropose:             "Trình cấp Trung ương",
		domain.ActDecline:             "Ghi nhận không khen thưởng",
		domain.ActCancel:              "Hủy hồ sơ",
		domain.ActWrittenOpinion:      "Ghi nhận ý kiến bằng văn bản",
		domain.ActSubmit:              "Nộp hồ sơ",
		domain.ActAttachDocument:      "Đính kèm tài liệu",
		domain.ActNoticeEnd:           "Kết thúc công khai",
		domain.ActOverdue:             "Quá hạn xử lý",
		domain.ActSessionResult:       "Kết quả phiên họp Hội đồng",
		domain.ActOverruleEligibility: "Tiếp tục xử lý dù chưa đủ điều kiện (ý kiến của chuyên viên)",
	}
	// DocumentKindNames names each kind of document (thành phần hồ sơ).
	DocumentKindNames = map[domain.DocumentKind]string{
		domain.DocToTrinh:         "Tờ trình đề nghị khen thưởng",
		domain.DocBaoCaoThanhTich: "Báo cáo thành tích",
		domain.DocBienBanHop:      "Biên bản họp xét khen thưởng",
		domain.DocXacNhanSangKien: "Xác nhận sáng kiến",
		domain.DocTomTatThanhTich: "Tóm tắt thành tích",
		domain.DocKhac:            "Tài liệu khác",
	}
	// KindNames names the kinds of commendation (loại hình, Law art. 8).
	KindNames = map[domain.Kind]string{
		domain.KindMerit:      "Khen thưởng công trạng",
		domain.KindAdhoc:      "Khen thưởng đột xuất",
		domain.KindCampaign:   "Khen thưởng theo đợt, chuyên đề",
		domain.KindDedication: "Khen thưởng quá trình cống hiến",
		domain.KindForeign:    "Khen thưởng đối ngoại",
	}
	// ProcedureNames names the procedures.
	ProcedureNames = map[domain.Procedure]string{
		domain.ProcedureRegular:    "Thủ tục thông thường",
		domain.ProcedureSimplified: "Thủ tục đơn giản",
	}
	// AuthorityNames names who finally decides.
	AuthorityNames = map[domain.Authority]string{
		domain.AuthorityProvince:  "Chủ tịch UBND tỉnh",
		domain.AuthorityPM:        "Thủ tướng Chính phủ",
		domain.AuthorityPresident: "Chủ tịch nước",
		domain.AuthorityUnitHead:  "Thủ trưởng cơ quan, đơn vị",
	}
	// UnitKindNames names the kinds of unit of the directory.
	UnitKindNames = map[domain.UnitKind]string{
		domain.UnitDepartment:  "Sở, ban, ngành",
		domain.UnitMassOrg:     "Mặt trận, đoàn thể",
		domain.UnitCommune:     "Xã",
		domain.UnitWard:        "Phường",
		domain.UnitSpecialZone: "Đặc khu",
		domain.UnitEnterprise:  "Doanh nghiệp",
	}
	// RegistrySourceNames says how an award reached the registry.
	RegistrySourceNames = map[domain.RegistrySource]string{
		domain.SourceEngine: "Khen thưởng qua hệ thống",
		domain.SourceImport: "Nhập từ bảng tính",
		domain.SourceManual: "Ghi nhận thủ công",
	}
	// RoleNames names the roles.
	RoleNames = map[domain.Role]string{
		domain.RoleUnit:      "Đơn vị đề nghị",
		domain.RoleOfficer:   "Chuyên viên Thi đua - Khen thưởng",
		domain.RoleCouncil:   "Thành viên Hội đồng",
		domain.RoleSecretary: "Thư ký Hội đồng",
		domain.RoleChairman:  "Chủ tịch UBND tỉnh",
		domain.RoleAdmin:     "Quản trị hệ thống",
		domain.RoleSystem:    "Hệ thống",
	}
	// StatusNames names the overall statuses.
	StatusNames = map[domain.Status]string{
		domain.StatusActive:    "Đang xử lý",
		domain.StatusAwarded:   "Đã khen thưởng",
		domain.StatusRejected:  "Không khen thưởng",
		domain.StatusWithdrawn: "Đã rút",
		domain.StatusCancelled: "Đã hủy",
	}
	// NomineeTypeNames names individual and collective.
	NomineeTypeNames = map[domain.NomineeType]string{
		domain.Individual: "Cá nhân",
		domain.Collective: "Tập thể",
	}
	// FieldNames names the fields people fill in, for error messages.
	FieldNames = map[string]string{
		"award_code": "Hình thức khen thưởng", "kind": "Loại hình khen thưởng", "procedure": "Thủ tục",
		"campaign": "Đợt thi đua", "achievement_period": "Thời kỳ lập thành tích",
		"nominee.type": "Đối tượng", "nominee.name": "Họ tên cá nhân hoặc tên tập thể",
		"nominee.position": "Chức vụ", "nominee.birth_date": "Ngày sinh", "nominee.citizen_id": "Số CCCD", "nominee.organization": "Đơn vị công tác", "summary": "Tóm tắt thành tích",
		"comment": "Ý kiến", "nominee": "Người, tập thể được đề nghị", "reason": "Lý do", "person_key": "Mã đối tượng", "missing": "Thành phần còn thiếu", "approve": "Phiếu biểu quyết",
		"number": "Số văn bản", "member": "Thành viên vắng mặt", "date": "Ngày ban hành", "file": "Tệp tài liệu", "body": "Nội dung",
		"Idempotency-Key": "Mã chống gửi trùng", "cursor": "Trang", "limit": "Số dòng mỗi trang",
		"stage": "Giai đoạn", "status": "Trạng thái", "award": "Hình thức khen thưởng", "unit": "Đơn vị",
		"overdue": "Quá hạn", "q": "Từ khóa",
		"title": "Tiêu đề", "dossiers": "Hồ sơ", "choices": "Phiếu biểu quyết", "add": "Hồ sơ thêm vào", "remove": "Hồ sơ bỏ ra",
		"code": "Mã", "name": "Tên", "block": "Khối thi đua", "email": "Thư điện tử",
		"birth_date": "Ngày sinh", "citizen_id": "Số CCCD", "year": "Năm", "decision_number": "Số quyết định",
		"decision_date": "Ngày quyết định", "nominee_type": "Đối tượng", "format": "Định dạng",
		"opens":  "Ngày bắt đầu nhận hồ sơ",
		"closes": "Ngày kết thúc nhận hồ sơ", "awards": "Hình thức khen thưởng của đợt", "open_on": "Ngày nhận hồ sơ",
	}
	// CampaignKindNames names the kinds of campaign of the yearly plan.
	CampaignKindNames = map[domain.CampaignKind]string{
		domain.CampaignAnnual:     "Tổng kết năm",
		domain.CampaignSchoolYear: "Năm học (ngành Giáo dục)",
		domain.CampaignThematic:   "Theo đợt, chuyên đề",
	}
)

// StageName is the Vietnamese name of a stage.
func StageName(s domain.Stage) string {
	if i, ok := domain.Info(s); ok {
		return i.Name
	}
	return string(s)
}

// ActionName is the Vietnamese name of an action in a stage: at the
// central stages the office records what the central level did.
func ActionName(a domain.Action, at domain.Stage) string {
	switch {
	case a == domain.ActAccept && at == domain.CentralAppraisal:
		return "Ghi nhận Ban TĐKT Trung ương chấp thuận"
	case a == domain.ActDecide && (at == domain.PMDecision || at == domain.PresidentDecision):
		return "Ghi nhận quyết định khen thưởng"
	case a == domain.ActPropose && at == domain.PMDecision:
		return "Ghi nhận tờ trình lên Chủ tịch nước"
	case a == domain.ActReturn && at == domain.CentralAppraisal:
		return "Ghi nhận Trung ương trả lại"
	case a == domain.ActReject && at == domain.CentralAppraisal:
		return "Ghi nhận Trung ương không khen thưởng"
	}
	if n, ok := ActionNames[a]; ok {
		return n
	}
	return string(a)
}

// fieldMessages translate the field messages use cases give, by prefix.
// A translation starting with "=" is the whole message, not preceded by
// the field's name.
var fieldMessages = []struct{ prefix, vi string }{
	{"registration for ", "=Đã hết hạn đăng ký thi đua của năm này"},
	{"must be an emulation title", "phải là một danh hiệu thi đua (Chiến sĩ thi đua, Cờ thi đua, Tập thể lao động xuất sắc, Lao động tiên tiến)"},
	{"title ", "danh hiệu này không dành cho đối tượng đã chọn"},
	{"must be your own unit", "phải là đơn vị của bạn"},
	{"must be e-mail addresses", "phải là địa chỉ thư điện tử, nhiều địa chỉ cách nhau bằng dấu phẩy"},
	{"must be a day of the year", "phải thuộc năm đăng ký"},
	{"must be at most 200 characters without", "quá dài hoặc chứa ký tự không hợp lệ"},
	{"is not open for submissions", "không nhận hồ sơ vào ngày hôm nay (ngoài thời hạn nhận hồ sơ của đợt)"},
	{"is not covered by campaign", "không thuộc các hình thức khen thưởng của đợt thi đua đã chọn"},
	{"is not in the plan", "không có trong kế hoạch thi đua, khen thưởng của tỉnh"},
	{"must be one of annual", "=Loại đợt phải là tổng kết năm, năm học hoặc theo đợt, chuyên đề"},
	{"must be a year", "phải là năm từ 2000 đến 2100"},
	{"the window must open in", "phải thuộc năm của đợt"},
	{"the window must not close before", "không được trước ngày bắt đầu"},
	{"the window must be at most", "quá xa: một đợt nhận hồ sơ tối đa 366 ngày"},
	{"must list at least one award", "cần có ít nhất một hình thức"},
	{"names award", "có hình thức được chọn hai lần"},
	{"must not be empty", "không được để trống"},
	{"is not in the unit directory", "chưa có trong danh mục đơn vị; hãy đề nghị quản trị hệ thống bổ sung"},
	{"is already used by another unit", "đã được dùng cho một đơn vị khác trong danh mục"},
	{"must be a unit code", "phải là mã đơn vị: chữ in hoa không dấu, chữ số, '-' hoặc '_', tối đa 32 ký tự"},
	{"must be one of so_ban_nganh", "phải là một loại đơn vị trong danh mục (sở, ban, ngành; đoàn thể; xã; phường; đặc khu; doanh nghiệp)"},
	{"is already in the registry", "đã có trong sổ khen thưởng (cùng đối tượng, hình thức, năm và số quyết định)"},
	{"must be 12 digits", "phải gồm đúng 12 chữ số"},
	{"is only for an individual", "chỉ ghi cho cá nhân, không ghi cho tập thể"},
	{"must be a year", "phải là năm hợp lệ (từ 1945 đến năm sau)"},
	{"must be xlsx or csv", "phải là xlsx hoặc csv"},
	{"is required", "cần được cung cấp"},
	{"is empty", "là tệp rỗng"},
	{"unknown award code", "không có trong danh mục khen thưởng"},
	{"must be individual or collective", "phải là cá nhân hoặc tập thể"},
	{"award ", "hình thức khen thưởng này không dành cho đối tượng đã chọn"},
	{"must be one of merit", "phải là một loại hình khen thưởng trong danh mục"},
	{"the simplified procedure", "thủ tục đơn giản chỉ áp dụng cho khen thưởng đột xuất, quá trình cống hiến, đối ngoại và hình thức không cần Hội đồng biểu quyết hoặc chỉ cần quá nửa"},
	{"must be a campaign code", "phải là mã đợt thi đua: chữ cái không dấu, chữ số, '.', '_' hoặc '-', tối đa 64 ký tự"},
	{"must be regular or simplified", "phải là thủ tục thông thường hoặc đơn giản"},
	{"must be at most", "quá dài"},
	{"must not hold control characters", "chứa ký tự không hợp lệ"},
	{"must be valid UTF-8", "chứa ký tự không hợp lệ"},
	{"a comment is required", "là bắt buộc với thao tác này"},
	{"is not taken by", "không dùng cho thao tác này"},
	{"the absent member's id is required", "cần ghi rõ (mã thành viên)"},
	{"only a return lists missing", "chỉ khi trả lại mới ghi thành phần còn thiếu"},
	{"unknown document kind", "có loại tài liệu không hợp lệ"},
	{"lists too many", "có quá nhiều mục"},
	{"must be true or false", "cần chọn đồng ý hoặc không đồng ý"},
	{"the central authority's number is required", "cần nhập số văn bản do cấp Trung ương ban hành"},
	{"must be a date", "phải là ngày hợp lệ"},
	{"must be one of to_trinh", "phải là một thành phần hồ sơ trong danh mục"},
	{"must be one of the document kinds", "phải là một thành phần hồ sơ trong danh mục"},
	{"send one file per request", "mỗi lần chỉ gửi một tệp"},
	{"was already used by you", "đã được dùng cho một yêu cầu khác"},
	{"was already used", "đã được dùng cho một hồ sơ khác"},
	{"is not a cursor", "không hợp lệ; hãy quay lại trang đầu"},
	{"must be a whole number from 0 to 999", "phải là số nguyên từ 0 đến 999"},
	{"must be the sign-in id", "phải là mã đăng nhập của thành viên: tối đa 128 ký tự, không có dấu cách"},
	{"is not on the council's roster", "không có trong danh sách thành viên Hội đồng"},
	{"must be a whole number", "phải là số nguyên từ 1 đến 200"},
	{"unknown stage", "không có giai đoạn này"},
	{"must be one of active", "không có trạng thái này"},
	{"a ballot has a choice", "cần chọn đồng ý, không đồng ý hoặc không biểu quyết cho hồ sơ này"},
	{"must be yes, no or abstain", "phải là đồng ý, không đồng ý hoặc không biểu quyết"},
	{"an agenda holds at least one", "cần có ít nhất một hồ sơ"},
	{"an agenda holds at most", "có quá nhiều hồ sơ cho một phiên họp"},
	{"no such dossier", "có hồ sơ không tồn tại"},
	{"lists ", "có hồ sơ được chọn hai lần"},
}

// VietnameseField translates one field error for people.
func VietnameseField(f domain.FieldError) domain.FieldError {
	msg := "không hợp lệ"
	for _, m := range fieldMessages {
		if strings.HasPrefix(f.Message, m.prefix) {
			msg = m.vi
			break
		}
	}
	if whole, ok := strings.CutPrefix(msg, "="); ok {
		return domain.FieldError{Field: f.Field, Message: whole}
	}
	name, ok := FieldNames[f.Field]
	if !ok {
		name = f.Field
	}
	return domain.FieldError{Field: f.Field, Message: name + " " + msg}
}

// Vietnamese says a use case error to people: a sentence, and each wrong
// field in Vietnamese.
func Vietnamese(err error) (string, []domain.FieldError) {
	e := AsError(err)
	if e.Import && len(e.Fields) > 0 {
		return "Tệp chưa được nhập: " + e.Fields[0].Message, e.Fields
	}
	var fields []domain.FieldError
	for _, f := range e.Fields {
		vf := VietnameseField(f)
		if label, ok := e.Labels[f.Field]; ok {
			if name, ok := FieldNames[f.Field]; ok {
				vf.Message = label + strings.TrimPrefix(vf.Message, name)
			}
		}
		fields = append(fields, vf)
	}
	if len(e.FieldsVI) > 0 {
		fields = e.FieldsVI
	}
	act := strings.ToLower(ActionName(e.Action, e.Stage))
	if e.VI != "" {
		return e.VI, fields
	}
	switch e.Kind {
	case domain.ErrInvalid:
		return "Một số thông tin chưa hợp lệ. Vui lòng kiểm tra lại.", fields
	case domain.ErrNotFound:
		if strings.Contains(e.Detail, "document") {
			return "Không tìm thấy tài liệu.", nil
		}
		if strings.Contains(e.Detail, "action") {
			return "Không có thao tác này.", nil
		}
		if strings.Contains(e.Detail, "unit") {
			return "Không có đơn vị này trong danh mục đơn vị.", nil
		}
		return "Không tìm thấy hồ sơ, hoặc bạn không có quyền xem hồ sơ này.", nil
	case domain.ErrForbidden:
		switch {
		case e.Action == domain.ActSubmit:
			return "Chỉ đơn vị đề nghị mới được nộp hồ sơ.", nil
		case e.Action == domain.ActAttachDocument:
			return "Chỉ đơn vị đã nộp hồ sơ mới được đính kèm tài liệu.", nil
		case e.Action != "":
			return fmt.Sprintf("Vai trò của bạn không được phép thực hiện thao tác «%s».", act), nil
		}
		return "Bạn không có quyền thực hiện thao tác này.", nil
	case domain.ErrConflict:
		stage := strings.ToLower(StageName(e.Stage))
		switch {
		case len(e.Missing) > 0:
			names := make([]string, len(e.Missing))
			for i, k := range e.Missing {
				names[i] = DocumentKindNames[k]
			}
			return fmt.Sprintf("Hồ sơ còn thiếu thành phần bắt buộc: %s. Chưa thể «%s»; hãy trả lại để đơn vị bổ sung.", strings.Join(names, ", "), act), nil
		case strings.Contains(e.Detail, "this member has already voted"):
			return "Thành viên này đã bỏ phiếu (hoặc đã có ý kiến bằng văn bản) cho hồ sơ này.", nil
		case strings.Contains(e.Detail, "already voted"):
			return "Bạn đã bỏ phiếu cho hồ sơ này; phiếu đã bỏ không thể thay đổi.", nil
		case strings.Contains(e.Detail, "quorum"):
			return "Chưa đủ túc số (hai phần ba tổng số thành viên đã bỏ phiếu): chưa thể kết thúc bỏ phiếu; việc xét được hoãn chứ không bị bác.", nil
		case strings.Contains(e.Detail, "vote is closed"):
			return "Việc bỏ phiếu cho hồ sơ này đã kết thúc.", nil
		case strings.Contains(e.Detail, "no longer running"):
			return fmt.Sprintf("Hồ sơ (giai đoạn «%s») không còn được xử lý; hãy liên hệ quản trị hệ thống.", stage), nil
		case e.Stage.Terminal():
			return fmt.Sprintf("Hồ sơ đã kết thúc («%s»); không thể thực hiện thêm thao tác.", stage), nil
		case strings.Contains(e.Detail, "the most allowed"):
			return "Hồ sơ đã có số tài liệu tối đa được phép; không thể đính kèm thêm.", nil
		case e.Action == domain.ActAttachDocument:
			return fmt.Sprintf("Chỉ được đính kèm tài liệu ở giai đoạn tiếp nhận hoặc bổ sung; hồ sơ đang ở giai đoạn «%s».", stage), nil
		case strings.Contains(e.Detail, " is only ") || strings.Contains(e.Detail, "award decided by"):
			return fmt.Sprintf("Không thể «%s» hồ sơ này ở giai đoạn «%s» theo thẩm quyền khen thưởng của hồ sơ.", act, stage), nil
		}
		return fmt.Sprintf("Không thể «%s» khi hồ sơ đang ở giai đoạn «%s».", act, stage), nil
	case domain.ErrStale:
		return "Hồ sơ vừa được người khác cập nhật. Hãy xem lại hồ sơ rồi thực hiện lại.", nil
	case ErrTooLarge:
		return "Tệp quá lớn.", nil
	case ErrUnsupported:
		return "Chỉ nhận tài liệu PDF, DOC, DOCX, ODT, JPEG và PNG (nhận biết theo nội dung tệp).", nil
	case ErrMalformed:
		return "Yêu cầu không đúng định dạng. Vui lòng gửi lại.", nil
	case ErrUnavailable:
		if e.Recorded {
			return "Thao tác đã được ghi nhận nhưng chưa hiển thị; hồ sơ sẽ được cập nhật trong vài giây. Hãy xem lại hồ sơ trước khi thực hiện lại.", nil
		}
		return "Hệ thống tạm thời không kết nối được dịch vụ xử lý hồ sơ. Vui lòng thử lại sau ít phút.", nil
	}
	return "Đã có lỗi hệ thống. Vui lòng thử lại hoặc liên hệ quản trị.", nil
}
