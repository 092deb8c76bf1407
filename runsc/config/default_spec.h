// The config.json that `runsc spec` writes: runc's default, except that
// process.terminal is false, so that the spec runs without a console
// socket or a terminal of the caller's (runc's spec says true).
#ifndef RUNSC_RUNSC_CONFIG_DEFAULT_SPEC_H_
#define RUNSC_RUNSC_CONFIG_DEFAULT_SPEC_H_

#include "nlohmann/json.hpp"

namespace runsc::config {

// The OCI runtime-spec version runsc implements and reports.
inline constexpr char kOciVersion[] = "1.0.2";

nlohmann::ordered_json DefaultSpec();

}  // namespace runsc::config

#endif  // RUNSC_RUNSC_CONFIG_DEFAULT_SPEC_H_
