// Early-return helpers for absl::Status / absl::StatusOr, so that bring-up code
// reads as one ordered list of steps (DESIGN §9).
#ifndef RUNSC_RUNSC_STATUS_MACROS_H_
#define RUNSC_RUNSC_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Returns the status of `expr` from the current function if it is not OK.
#define RUNSC_RETURN_IF_ERROR(expr)                          \
  do {                                                       \
    if (::absl::Status runsc_status_ = (expr); !runsc_status_.ok()) { \
      return runsc_status_;                                  \
    }                                                        \
  } while (0)

#define RUNSC_STATUS_CONCAT_INNER_(a, b) a##b
#define RUNSC_STATUS_CONCAT_(a, b) RUNSC_STATUS_CONCAT_INNER_(a, b)

// `lhs` = the value of the StatusOr `expr`, or return its status.
// `lhs` may be a declaration: RUNSC_ASSIGN_OR_RETURN(auto fd, OpenIt());
#define RUNSC_ASSIGN_OR_RETURN(lhs, expr) \
  RUNSC_ASSIGN_OR_RETURN_IMPL_(RUNSC_STATUS_CONCAT_(runsc_statusor_, __LINE__), lhs, expr)
#define RUNSC_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return std::move(tmp).status();     \
  lhs = std::move(*tmp)

#endif  // RUNSC_RUNSC_STATUS_MACROS_H_
