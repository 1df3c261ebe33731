package store

import "testing"

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Lò Văn A":              "lo van a",
		"  Đặng   Thị\tHoa \n":  "dang thi hoa",
		"ĐẶNG":                  "dang",
		"Nguyễn Thị Ánh Tuyết":  "nguyen thi anh tuyet",
		"Trường THPT Phong Thổ": "truong thpt phong tho",
		"ưu tú, xuất sắc":       "uu tu, xuat sac",
		"Lo\u0300 Va\u0306n A":  "lo van a", // decomposed input
		"100% a_b":              "100% a_b",
		"":                      "",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}
