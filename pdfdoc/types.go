package pdfdoc

import "time"

// Issuer is the issuing body printed top-left (tên cơ quan, tổ chức ban hành
// văn bản, ô 2 of Phụ lục I).
type Issuer struct {
	// Parent is the governing body (tên cơ quan, tổ chức chủ quản), printed in
	// regular capitals above the name; empty for a People's Committee.
	Parent string
	// Name is the issuing body's name, one element per printed line, in bold
	// capitals; a line too wide for the column is wrapped.
	Name []string
}

// ProvincialCommittee is the issuer of decisions and proposals: Ủy ban nhân
// dân tỉnh Lai Châu.
var ProvincialCommittee = Issuer{Name: []string{"ỦY BAN NHÂN DÂN", "TỈNH LAI CHÂU"}}

// ProvincialCouncil is the issuer of the council's minutes: Hội đồng Thi đua -
// Khen thưởng tỉnh, under the provincial People's Committee.
var ProvincialCouncil = Issuer{
	Parent: "UBND TỈNH LAI CHÂU",
	Name:   []string{"HỘI ĐỒNG THI ĐUA -", "KHEN THƯỞNG"},
}

// DefaultPlace is the place name (địa danh) written before the date when a
// document does not give one.
const DefaultPlace = "Lai Châu"

// Signer is a signature block (ô 7): the authority and title lines in bold
// capitals, such as {"KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"} or {"TM. ỦY BAN NHÂN
// DÂN", "CHỦ TỊCH"}, then, below the space for the signature and seal, the
// signer's full name.
type Signer struct {
	Title []string
	Name  string
}

// Awardee is one row of an annexed list (danh sách kèm theo): a person or a
// collective and the award given or proposed.
type Awardee struct {
	// Name is the person's full name (họ và tên) or the collective's name
	// (tên tập thể).
	Name string
	// Position is the person's post and unit, or the collective's parent unit
	// (chức vụ, đơn vị).
	Position string
	// Award is the form of commendation (hình thức khen thưởng): "Bằng khen của
	// Chủ tịch UBND tỉnh", "Huân chương Lao động hạng Ba".
	Award string
	// Collective marks a collective (tập thể); the list prints collectives
	// first, then individuals, each numbered from 1, when it has both.
	Collective bool
}

// Decision is a quyết định of the provincial chairman awarding a batch of
// nominees, with the list annexed.
type Decision struct {
	Issuer Issuer // zero: ProvincialCommittee
	Place  string // địa danh; empty: DefaultPlace
	// Number is the number and symbol (số, ký hiệu): "12/QĐ-UBND". A number
	// below 10 is printed with a leading zero, as Decree 30 asks.
	Number string
	Date   time.Time
	// Summary is the trích yếu: "Về việc tặng Bằng khen của Chủ tịch Ủy ban
	// nhân dân tỉnh".
	Summary string
	// Authority is the signing authority's title printed above the căn cứ:
	// "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH LAI CHÂU".
	Authority string
	// Bases are the căn cứ lines, printed in italics; each ends with ";" and
	// the last with ".", whatever the input ends with.
	Bases []string
	// Articles are the articles' texts without "Điều n.", which is added:
	// Điều 1 awards the annexed list (see CountAwardees), then the effect and
	// who carries the decision out.
	Articles []string
	// Recipients is the nơi nhận list without dashes, ending with the archive
	// line ("Lưu: VT, SNV").
	Recipients []string
	Signer     Signer
	// AnnexTitle is the line under "DANH SÁCH": "Tập thể, cá nhân được tặng
	// Bằng khen của Chủ tịch UBND tỉnh". Empty: a generic title.
	AnnexTitle string
	// IssuedBy names the issuer in the annex's "(Kèm theo Quyết định số …
	// của …)" line; empty: "Chủ tịch UBND tỉnh".
	IssuedBy string
	Awardees []Awardee
}

// Proposal is a tờ trình from the province to the central level (the Prime
// Minister or the President, through Ban Thi đua - Khen thưởng Trung ương),
// with the list of nominees annexed.
type Proposal struct {
	Issuer Issuer // zero: ProvincialCommittee
	Place  string // empty: DefaultPlace
	Number string // "45/TTr-UBND"
	Date   time.Time
	// Summary is the trích yếu: "Về việc đề nghị tặng Huân chương Lao động".
	Summary string
	// To are the addressees (kính gửi): {"Thủ tướng Chính phủ", "Ban Thi đua -
	// Khen thưởng Trung ương"}.
	To []string
	// Body are the paragraphs of the proposal.
	Body       []string
	Recipients []string
	Signer     Signer
	AnnexTitle string // empty: a generic title
	IssuedBy   string // empty: "UBND tỉnh"
	Nominees   []Awardee
}

// Member is a council member as named in the minutes.
type Member struct {
	Name string
	Role string // "Giám đốc Sở Nội vụ, Phó Chủ tịch Hội đồng"
}

// Tally is one dossier's result in a council session: the counts only, never
// who voted how.
type Tally struct {
	Nominee string // person or collective
	Unit    string // chức vụ, đơn vị
	Award   string // the award proposed
	Yes     int    // đồng ý
	No      int    // không đồng ý
	Abstain int    // không biểu quyết
	// Required is the number of yes votes needed (số phiếu cần đạt).
	Required int
	// Passed is the result the session recorded; it must agree with Yes ≥
	// Required.
	Passed bool
}

// Minutes is the biên bản of a session of the provincial Emulation and
// Commendation Council (phiên họp Hội đồng Thi đua - Khen thưởng tỉnh).
type Minutes struct {
	Issuer Issuer // zero: ProvincialCouncil
	Number string // "03/BB-HĐTĐKT"
	// Title follows "BIÊN BẢN": "Phiên họp Hội đồng Thi đua - Khen thưởng tỉnh
	// xét khen thưởng tổng kết năm 2026".
	Title string
	Start time.Time
	End   time.Time // zero: not printed
	Venue string    // địa điểm
	Chair Member    // chủ trì
	// ChairTitle heads the chair's signature; empty: "CHỦ TỊCH HỘI ĐỒNG".
	ChairTitle string
	Secretary  Member // thư ký
	// Present cast a ballot at the session; WrittenOpinions were absent and
	// sent a written opinion; Absent were absent without one.
	Present         []Member
	WrittenOpinions []Member
	Absent          []Member
	// Content are optional paragraphs on the session's proceedings.
	Content    []string
	Dossiers   []Tally
	Recipients []string // optional
}
