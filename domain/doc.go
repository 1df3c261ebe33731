// Package domain is the business of commendation dossiers (hồ sơ thi đua, khen
// thưởng) in pure Go: stages, roles, actions, the transition table, the award
// catalogue, the vote rule, required documents and the working-day calendar.
//
// It knows nothing of Temporal or SQL. The workflow's update validators, the
// API's allowed_actions, the inbox and the OpenAPI enums all read the same
// transition table here, so a new stage or award is a change in one place.
package domain
