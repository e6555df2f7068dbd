// Grid codes: the users' codes are kept and checked (unique within a level; a child's code starts with its parent's
// code where the level's scheme is hierarchical); missing codes are generated in the style of urban unit-grid codes.
//
// The scheme (README "Checking and drawing grids"): a code is its parent's code followed by a serial of
// `serial_width` digits (3 by default), serials numbered 1, 2, 3 … among the siblings in reading order — rows of
// `reading_band` metres from north to south, west→east within a row, by each grid's point on surface (the order
// grid drawing uses). The top level's serials follow `top_prefix`, normally the 6-digit county code (GB/T 2260) and
// the 3-digit street/township code (GB/T 10114), e.g. 110101 + 001: communities 110101001001 …, their grids
// 110101001001001 …, micro-grids below them 110101001001001001 ….
//
// Generation fills gaps without renumbering anything: serials already used by coded siblings (a code made of the
// parent's code and digits only) are skipped, and the serial width follows the coded siblings when they agree.
// A group needing more serials than the width holds gets wider serials, with a note.
#pragma once
#include <string>
#include <vector>

#include "hierarchy/grid_tree.hpp"
#include "model/dataset.hpp"

namespace gridatlas::hierarchy {

struct CodeOptions {
    // Before the top level's serials. Empty: taken from the top level's coded grids when they all agree on what
    // precedes their last `serial_width` digits; else no prefix (and a note asks for one).
    std::string top_prefix;
    int serial_width = 3;
    double reading_band = 500;
};

enum class CodeIssueKind {
    duplicate_code,       // flagged: a code used by more than one grid of a level
    not_under_parent,     // flagged: in a hierarchical level, a code that does not start with its parent's code
    flat_level,           // note: a level whose codes do not embed their parent's code (not checked for it)
    generated_code,       // note: a grid without a code got one
    not_generated,        // flagged: a grid without a code that got none (no parent, or a parent without code)
    widened_serial,       // note: more siblings than the serial width holds
    no_prefix,            // note: top-level codes were generated without a prefix
};
const char* to_string(CodeIssueKind kind);

struct CodeIssue {
    CodeIssueKind kind = CodeIssueKind::generated_code;
    bool flagged = false;
    int level = -1;
    GridId grid;          // invalid for level-wide notes
    GridId other;         // duplicate: the first grid with the code; not_under_parent: the parent
    std::string message;
};

struct CodeReport {
    std::vector<std::string> codes;        // per grid index: the user's code, or the generated one
    std::vector<bool> generated;           // per grid index
    std::vector<bool> hierarchical;        // per level: codes embed the parent's code (the top level: true)
    std::vector<CodeIssue> issues;         // by level, then grid order; level-wide notes first
    std::size_t flagged() const;
};

// The code the loader gives a grid whose code field is empty: "<level key>-fid<N>".
bool is_placeholder_code(const Dataset& ds, const Grid& g);

// `missing`: per grid index, true when the grid has no code of its own (see is_placeholder_code); empty: computed
// with is_placeholder_code. Throws std::invalid_argument for a serial width outside 1..9 or a non-positive band.
CodeReport check_codes(const Dataset& ds, const GridTree& tree, const CodeOptions& options = {},
                       std::vector<bool> missing = {});

}  // namespace gridatlas::hierarchy
