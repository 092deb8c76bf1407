#include "test/syscalls/runner/runtime_spec.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace runsc::compat {
namespace {

bool IsExecutableFile(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0;
}

// `command` made absolute if it is a path: the runner's cwd is not the
// runtime's.
std::string Absolute(const std::string& command) {
  if (command.find('/') == std::string::npos) return command;
  std::error_code ec;
  std::string path = std::filesystem::absolute(command, ec).lexically_normal().string();
  return ec ? command : path;
}

// The absolute path of `command` (as execvp would find it), or why not.
absl::StatusOr<std::string> Resolve(const std::string& command, absl::string_view path_env) {
  if (command.find('/') != std::string::npos) {
    const std::string path = Absolute(command);
    struct stat st;
    if (stat(path.c_str(), &st) != 0) return absl::NotFoundError(absl::StrCat(path, ": not found"));
    if (!IsExecutableFile(path)) {
      return absl::NotFoundError(absl::StrCat(path, ": not an executable file"));
    }
    return path;
  }
  for (absl::string_view dir : absl::StrSplit(path_env, ':', absl::SkipEmpty())) {
    std::string path = absl::StrCat(dir, "/", command);
    if (IsExecutableFile(path)) return path;
  }
  return absl::NotFoundError(absl::StrCat(command, ": not found in PATH"));
}

}  // namespace

bool IsValidRuntimeName(absl::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(c) && c != '_' && c != '.' && c != '+' && c != '-') return false;
  }
  return true;
}

absl::StatusOr<std::vector<std::string>> SplitCommandLine(absl::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quote == '\'') {
      if (c == '\'') {
        quote = 0;
      } else {
        word += c;
      }
      continue;
    }
    if (c == '\\') {
      if (i + 1 == line.size()) return absl::InvalidArgumentError("command line ends in '\\'");
      word += line[++i];
      in_word = true;
      continue;
    }
    if (quote == '"') {
      if (c == '"') {
        quote = 0;
      } else {
        word += c;
      }
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    word += c;
    in_word = true;
  }
  if (quote != 0)
    return absl::InvalidArgumentError(
        absl::StrCat("unbalanced ", std::string(1, quote), " in command line"));
  if (in_word) words.push_back(std::move(word));
  return words;
}

absl::StatusOr<RuntimeSpec> ParseRuntimeFlag(absl::string_view flag, absl::string_view path_env) {
  RuntimeSpec spec;
  absl::string_view command_line = flag;
  if (size_t eq = flag.find('='); eq != absl::string_view::npos) {
    spec.name = std::string(flag.substr(0, eq));
    command_line = flag.substr(eq + 1);
  }
  auto words = SplitCommandLine(command_line);
  if (!words.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--runtime ", flag, ": ", words.status().message()));
  }
  if (spec.name.empty() && words->size() == 1 && (*words)[0] == "native") {
    spec.name = "native";
    spec.native = true;
    return spec;
  }
  if (spec.name == "native") {
    return absl::InvalidArgumentError(absl::StrCat(
        "--runtime ", flag, ": \"native\" runs binaries on the host and takes no command"));
  }
  if (words->empty()) {
    return absl::InvalidArgumentError(absl::StrCat("--runtime ", flag, ": no command given"));
  }
  if (spec.name.empty()) spec.name = std::filesystem::path((*words)[0]).filename().string();
  if (!IsValidRuntimeName(spec.name)) {
    return absl::InvalidArgumentError(absl::StrCat("--runtime ", flag, ": the name \"", spec.name,
                                                   "\" must be made of [A-Za-z0-9_.+-]"));
  }
  spec.command = std::move(*words);
  absl::StatusOr<std::string> resolved = Resolve(spec.command[0], path_env);
  if (resolved.ok()) {
    spec.command[0] = *resolved;
  } else {
    spec.command[0] = Absolute(spec.command[0]);
    spec.unavailable = std::string(resolved.status().message());
  }
  return spec;
}

std::string QuoteForShell(absl::string_view arg) {
  if (!arg.empty() && arg.find_first_of(" \t\n'\"\\$`*?[]{}()<>|&;#~") == absl::string_view::npos) {
    return std::string(arg);
  }
  std::string out = "'";
  for (char c : arg) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace runsc::compat
