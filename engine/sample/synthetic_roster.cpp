// The sample's synthetic roster: deterministic rows per dwelling with invented names and phones, status and key
// groups from their own streams, and the documented faulty rows (see synthetic_roster.hpp).
#include "sample/synthetic_roster.hpp"

#include <array>
#include <cstdio>

namespace gridatlas::sample {

std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

std::uint64_t hash_text(const std::string& s) {
    std::uint64_t h = 1469598103934665603ULL;  // FNV-1a, then mixed
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
    return mix(h);
}

namespace {

constexpr std::array<const char*, 24> surnames = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙",
                                                  "马", "朱", "胡", "郭", "何", "林", "罗", "高", "郑", "梁", "谢", "宋"};
constexpr std::array<const char*, 32> given = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳",
                                               "杰", "娟", "涛", "明", "超", "秀", "霞", "平", "刚", "桂", "英", "华",
                                               "建", "国", "文", "玉", "兰", "红", "春", "海"};

std::string synthetic_name(std::uint64_t h) {
    std::string name = surnames[h % surnames.size()];
    name += given[(h >> 8) % given.size()];
    if ((h >> 16) % 3 != 0) name += given[(h >> 24) % given.size()];
    return name;
}

std::string synthetic_phone(std::uint64_t h) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "199%08llu", static_cast<unsigned long long>((h >> 20) % 100000000ULL));
    return buf;
}

// Household sizes 1–5 with shares 15/30/25/20/10 % (mean 2.8 persons).
int synthetic_persons(std::uint64_t h) {
    const int r = static_cast<int>(h % 100);
    if (r < 15) return 1;
    if (r < 45) return 2;
    if (r < 70) return 3;
    if (r < 90) return 4;
    return 5;
}

// Status: 常住 72 %, 租住 17 %, 空置 7 %, 经营 3.7 % (ground floors only; elsewhere it falls to 常住), and 0.3 %
// "待核实" (to be verified): a value outside the four that the reader must count as unknown. `s` is the status stream.
std::string synthetic_status(std::uint64_t s, int floor) {
    const int r = static_cast<int>(s % 1000);
    if (r < 720) return "常住";
    if (r < 890) return "租住";
    if (r < 960) return "空置";
    if (r < 997) return floor == 1 ? "经营" : "常住";
    return "待核实";
}

// Key groups of a lived-in household (none for vacant or business ones): elderly living alone only in one-person
// households (about one in six of them), disabled 2 %, low-income 2.5 %. `k` is the key-group stream.
std::string synthetic_key_groups(std::uint64_t k, const std::string& status, int persons) {
    if (status == "空置" || status == "经营") return "";
    std::string out;
    auto add = [&](const char* g) { out += (out.empty() ? "" : "、") + std::string(g); };
    if (persons == 1 && k % 6 == 0) add("独居老人");
    if ((k >> 8) % 1000 < 20) add("残疾");
    if ((k >> 20) % 1000 < 25) add("低保");
    return out;
}

std::string household_id(std::size_t serial) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "H%06zu", serial);
    return buf;
}

}  // namespace

std::vector<RosterRow> synthesize_roster(const std::vector<DwellingBuilding>& buildings, const RosterOptions& options) {
    std::vector<RosterRow> rows;
    const auto party_cut = static_cast<std::uint64_t>(options.party_household_share * 1'000'000);
    for (const auto& b : buildings) {
        int made = 0;
        for (int u = 1; u <= b.units && made < b.households; ++u)
            for (int f = 1; f <= b.floors && made < b.households; ++f)
                for (int r = 1; r <= b.households_per_floor && made < b.households; ++r, ++made) {
                    const std::uint64_t h = mix(hash_text(b.building_id) ^ mix((std::uint64_t(u) << 40) | (std::uint64_t(f) << 20) | r));
                    RosterRow row;
                    row.household_id = household_id(rows.size() + 1);
                    row.building_id = b.building_id;
                    row.unit = std::to_string(u);
                    row.floor = f;
                    row.room = std::to_string(f * 100 + r);
                    row.head_name = synthetic_name(mix(h ^ 1));
                    row.phone = synthetic_phone(mix(h ^ 2));
                    row.persons = synthetic_persons(mix(h ^ 3));
                    if (mix(h ^ 4) % 1'000'000 < party_cut) row.party_members = (mix(h ^ 5) % 100 < 15) ? 2 : 1;
                    // Streams of their own (not h ^ 1..5): the columns above are what they were before status existed.
                    row.status = synthetic_status(mix(h ^ 0x5354415455530001ULL), f);
                    row.key_groups = synthetic_key_groups(mix(h ^ 0x4b45594752500001ULL), row.status, row.persons);
                    rows.push_back(std::move(row));
                }
    }
    if (!options.faulty_rows || rows.size() < 100) return rows;

    // The faults a real roster has. Each kind is taken from rows spread evenly over the roster.
    const std::size_t n = rows.size();
    auto copy_of = [&](std::size_t k, std::size_t of) {
        RosterRow r = rows[(n / (of + 1)) * (k + 1)];
        r.household_id = household_id(rows.size() + 1);
        return r;
    };
    for (std::size_t k = 0; k < 6; ++k) {   // a building pulled down since the roster was made
        RosterRow r = copy_of(k, 6);
        r.building_id = "B-DEMOLISHED-" + std::to_string(k + 1);
        rows.push_back(r);
    }
    for (std::size_t k = 0; k < 4; ++k) {   // the building column left blank
        RosterRow r = copy_of(k, 4);
        r.building_id.clear();
        rows.push_back(r);
    }
    for (std::size_t k = 0; k < 5; ++k) {   // a unit number the building does not have
        RosterRow r = copy_of(k, 5);
        r.unit = "9";
        rows.push_back(r);
    }
    for (std::size_t k = 0; k < 3; ++k) {   // a row entered twice
        RosterRow r = rows[(n / 4) * (k + 1)];
        rows.push_back(r);
    }
    return rows;
}

}  // namespace gridatlas::sample
