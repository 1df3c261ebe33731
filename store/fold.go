package store

import "tdkt/domain"

// Fold is the search form of Vietnamese text (domain.Fold): lower case,
// without tone or vowel marks (đ becomes d), whitespace and control
// characters collapsed into single spaces. "Lò Văn  Đặng" folds to
// "lo van dang". Both the stored text and the query are folded, so a search
// is insensitive to diacritics and case.
func Fold(s string) string { return domain.Fold(s) }
