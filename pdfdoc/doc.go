// Package pdfdoc renders the administrative documents of a commendation round
// as PDF, in the format of Decree 30/2020/NĐ-CP (Nghị định 30/2020/NĐ-CP về
// công tác văn thư, Phụ lục I: thể thức văn bản hành chính):
//
//   - a Decision (quyết định, N/QĐ-UBND) of the provincial chairman awarding a
//     batch of nominees, with the list of awardees annexed;
//   - a Proposal (tờ trình, N/TTr-UBND) from the province to the central level,
//     with the list of nominees annexed;
//   - the Minutes (biên bản, N/BB-…) of a council session: attendance and each
//     dossier's tally, never who voted how.
//
// The package knows layout, not rules: what to print comes in as plain data
// (the caller decides who was awarded and whether a dossier passed), and the
// renderer only checks that a document is complete enough to be signed. Text is
// normalised to NFC and set in Liberation Serif, embedded (see fonts/README.md),
// so a document reads the same on any machine and its text can be extracted.
package pdfdoc
