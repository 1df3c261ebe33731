package domain

// DocumentKind is a kind of document in a dossier (thành phần hồ sơ).
type DocumentKind string

const (
	DocToTrinh         DocumentKind = "to_trinh"
	DocBaoCaoThanhTich DocumentKind = "bao_cao_thanh_tich"
	DocBienBanHop      DocumentKind = "bien_ban_hop"
	DocXacNhanSangKien DocumentKind = "xac_nhan_sang_kien"
	DocTomTatThanhTich DocumentKind = "tom_tat_thanh_tich"
	DocKhac            DocumentKind = "khac"
)

// DocumentKinds lists every document kind.
var DocumentKinds = []DocumentKind{DocToTrinh, DocBaoCaoThanhTich, DocBienBanHop, DocXacNhanSangKien, DocTomTatThanhTich, DocKhac}

// ValidDocumentKind reports whether k is a known document kind.
func ValidDocumentKind(k DocumentKind) bool {
	for _, x := range DocumentKinds {
		if x == k {
			return true
		}
	}
	return false
}

// RequiredDocuments lists the documents a dossier must hold for an award
// under a procedure.
func RequiredDocuments(a Award, p Procedure) []DocumentKind {
	if p == ProcedureSimplified {
		return []DocumentKind{DocToTrinh, DocTomTatThanhTich}
	}
	req := []DocumentKind{DocToTrinh, DocBaoCaoThanhTich, DocBienBanHop}
	if a.IsEmulationFighter() {
		req = append(req, DocXacNhanSangKien)
	}
	return req
}

// Document is a file attached to a dossier. The bytes live in the read model;
// the workflow keeps only this description.
type Document struct {
	ID          string       `json:"id"`
	Kind        DocumentKind `json:"kind"`
	Filename    string       `json:"filename"`
	Size        int64        `json:"size"`
	SHA256      string       `json:"sha256"`
	ContentType string       `json:"content_type"`
}
