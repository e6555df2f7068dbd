// Building numbers read back from an atlas or officer PDF (pdftotext -raw): per grid, the residential building count
// its page header states ("住宅楼 N 栋") and the numbers drawn on its pages ("12号楼"; the table's rows are numbered
// without "号楼", so they are not counted). Shared by atlas_numbers_test.cpp and atlas_whole_test.cpp.
#pragma once
#include <map>
#include <regex>
#include <set>
#include <string>

namespace gridatlas::test_support {

struct GridNumbers {
    int stated = -1;             // "住宅楼 N 栋" of the page header
    std::set<int> drawn;         // "k号楼" on the grid's pages
};

// Per grid code (the "（code）" of each page's title), the stated count and the numbers drawn, page by page.
inline std::map<std::string, GridNumbers> numbers_by_grid(const std::string& text) {
    std::map<std::string, GridNumbers> out;
    const std::regex title(R"(（(\d+)）)"), stated(R"(住宅楼 (\d+) 栋)"), number(R"((\d+)号楼)");
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\f', start);
        if (end == std::string::npos) end = text.size();
        const std::string page = text.substr(start, end - start);
        start = end + 1;
        std::smatch t, s;
        if (!std::regex_search(page, t, title) || !std::regex_search(page, s, stated)) continue;   // index pages
        GridNumbers& g = out[t[1]];
        g.stated = std::stoi(s[1]);
        for (auto it = std::sregex_iterator(page.begin(), page.end(), number); it != std::sregex_iterator(); ++it)
            g.drawn.insert(std::stoi((*it)[1]));
    }
    return out;
}

// Grids whose drawn numbers are not exactly 1..stated, with the first missing numbers; and the totals.
inline std::string check_numbers(const std::map<std::string, GridNumbers>& grids, int& stated, int& drawn) {
    std::string bad;
    stated = drawn = 0;
    for (const auto& [code, g] : grids) {
        stated += g.stated;
        std::string missing;
        int shown = 0;
        for (int k = 1; k <= g.stated; ++k) {
            if (g.drawn.count(k)) {
                ++shown;
                continue;
            }
            if (missing.size() < 40) missing += " " + std::to_string(k);
        }
        drawn += shown;
        const bool extra = !g.drawn.empty() && (*g.drawn.begin() < 1 || *g.drawn.rbegin() > g.stated);
        if (shown != g.stated || extra)
            bad += "\n  " + code + ": " + std::to_string(shown) + " of " + std::to_string(g.stated) + " drawn" +
                   (missing.empty() ? "" : ", missing" + missing) + (extra ? ", numbers beyond the table" : "");
    }
    return bad;
}

}  // namespace gridatlas::test_support
