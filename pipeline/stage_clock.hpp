// Times the stages of a job for summary.json: each stage's wall time, to the microsecond.
#pragma once
#include <chrono>
#include <cmath>
#include <string>
#include <type_traits>

#include <nlohmann/json.hpp>

namespace gridatlas::pipeline {

class StageClock {
public:
    template <typename Fn>
    auto time(const std::string& stage, Fn&& fn) {
        const auto start = std::chrono::steady_clock::now();
        if constexpr (std::is_void_v<decltype(fn())>) {
            fn();
            record(stage, start);
        } else {
            auto result = fn();
            record(stage, start);
            return result;
        }
    }
    // A stage timed elsewhere (on another thread): its seconds as measured there.
    void add(const std::string& stage, double seconds) { timings_.push_back({{"stage", stage}, {"seconds", std::round(seconds * 1e6) / 1e6}}); }
    const nlohmann::json& json() const { return timings_; }

private:
    void record(const std::string& stage, std::chrono::steady_clock::time_point start) {
        add(stage, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    nlohmann::json timings_ = nlohmann::json::array();
};

}  // namespace gridatlas::pipeline
