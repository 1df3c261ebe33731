package workflows

import (
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
)

// Typed search attributes administrators filter on in Temporal UI. None holds
// personal data: no nominee names.
var (
	SAStage     = temporal.NewSearchAttributeKeyKeyword("DossierStage")
	SAUnit      = temporal.NewSearchAttributeKeyKeyword("DossierUnit")
	SAAward     = temporal.NewSearchAttributeKeyKeyword("DossierAward")
	SAAuthority = temporal.NewSearchAttributeKeyKeyword("DossierAuthority")
	SADueAt     = temporal.NewSearchAttributeKeyTime("DossierDueAt")
	SAOverdue   = temporal.NewSearchAttributeKeyBool("DossierOverdue")
	SACampaign  = temporal.NewSearchAttributeKeyKeyword("DossierCampaign")
)

// SearchAttribute names one custom search attribute and its type.
type SearchAttribute struct {
	Name string
	Type enums.IndexedValueType
	// CLI is the type's name for `temporal server start-dev --search-attribute`.
	CLI string
}

// SearchAttributes lists every custom search attribute, for registration.
var SearchAttributes = []SearchAttribute{
	{"DossierStage", enums.INDEXED_VALUE_TYPE_KEYWORD, "Keyword"},
	{"DossierUnit", enums.INDEXED_VALUE_TYPE_KEYWORD, "Keyword"},
	{"DossierAward", enums.INDEXED_VALUE_TYPE_KEYWORD, "Keyword"},
	{"DossierAuthority", enums.INDEXED_VALUE_TYPE_KEYWORD, "Keyword"},
	{"DossierDueAt", enums.INDEXED_VALUE_TYPE_DATETIME, "Datetime"},
	{"DossierOverdue", enums.INDEXED_VALUE_TYPE_BOOL, "Bool"},
	{"DossierCampaign", enums.INDEXED_VALUE_TYPE_KEYWORD, "Keyword"},
}
