// Status and Result<T>: how libcore reports failure without throwing.
//
// A Status is one of a small vocabulary of kinds plus a message. A message starts as one fact
// ("rowsCount must be > 0; got 0") and gains context on its way up through with_context():
//   "index.bin: offset 81234: index block 3: block header #12 of 40: rowsCount must be > 0; got 0"
// The tools print the final message after their own "tsdb-inspect: " prefix and map the kind to an
// exit code (corruption -> 1, invalid_argument -> 2, ...).
//
// libcore never throws and never aborts on bad data; assert() is for our own bugs only.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace vmt {

enum class Code {
  ok = 0,
  corruption,        // on-disk bytes violate the format (data loss)
  out_of_range,      // a read past the end of a buffer or file
  invalid_argument,  // bad user input: flags, malformed exposition line, ...
  not_found,         // a file, directory, part or series that should exist does not
  io_error,          // the operating system refused (open, read, write, fsync, rename, flock)
  unsupported,       // valid but outside what we implement
};

const char* code_name(Code c);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return Status(); }
  bool is_ok() const { return code_ == Code::ok; }
  explicit operator bool() const { return is_ok(); }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // Prefixes context: "ctx: message". Returns *this for chaining in return statements.
  Status& with_context(const std::string& ctx) & {
    if (!is_ok()) message_ = ctx + ": " + message_;
    return *this;
  }
  Status&& with_context(const std::string& ctx) && {
    if (!is_ok()) message_ = ctx + ": " + message_;
    return std::move(*this);
  }
  std::string to_string() const { return is_ok() ? "ok" : message_; }

 private:
  Code code_ = Code::ok;
  std::string message_;
};

// Helpers that read like the kind they make.
inline Status corruption(std::string msg) { return Status(Code::corruption, std::move(msg)); }
inline Status out_of_range(std::string msg) { return Status(Code::out_of_range, std::move(msg)); }
inline Status invalid_argument(std::string msg) { return Status(Code::invalid_argument, std::move(msg)); }
inline Status not_found(std::string msg) { return Status(Code::not_found, std::move(msg)); }
inline Status io_error(std::string msg) { return Status(Code::io_error, std::move(msg)); }
inline Status unsupported(std::string msg) { return Status(Code::unsupported, std::move(msg)); }

// Result<T>: a T or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}               // NOLINT: implicit on purpose
  Result(Status status) : status_(std::move(status)) {          // NOLINT: implicit on purpose
    assert(!status_.is_ok() && "Result built from an ok Status");
    if (status_.is_ok()) status_ = Status(Code::unsupported, "internal: Result from ok Status");
  }

  bool is_ok() const { return value_.has_value(); }
  explicit operator bool() const { return is_ok(); }
  const Status& status() const { return status_; }
  Status take_status() { return std::move(status_); }

  T& value() & { assert(is_ok()); return *value_; }
  const T& value() const& { assert(is_ok()); return *value_; }
  T&& value() && { assert(is_ok()); return std::move(*value_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T value_or(T fallback) const& { return is_ok() ? *value_ : std::move(fallback); }

  Result& with_context(const std::string& ctx) & { status_.with_context(ctx); return *this; }
  Result&& with_context(const std::string& ctx) && { status_.with_context(ctx); return std::move(*this); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace vmt

#define VMT_CONCAT_INNER(a, b) a##b
#define VMT_CONCAT(a, b) VMT_CONCAT_INNER(a, b)

// Returns the Status of `expr` from the enclosing function if it is not ok.
#define VMT_TRY(expr)                                  \
  do {                                                 \
    ::vmt::Status vmt_try_status_ = (expr);            \
    if (!vmt_try_status_.is_ok()) return vmt_try_status_; \
  } while (0)

// Same, with context prefixed to the message.
#define VMT_TRY_CTX(expr, ctx)                                          \
  do {                                                                  \
    ::vmt::Status vmt_try_status_ = (expr);                             \
    if (!vmt_try_status_.is_ok()) return std::move(vmt_try_status_).with_context(ctx); \
  } while (0)

// `VMT_ASSIGN_OR_RETURN(auto x, f());` declares x from a Result or returns its Status.
#define VMT_ASSIGN_OR_RETURN(lhs, expr) VMT_ASSIGN_OR_RETURN_IMPL(VMT_CONCAT(vmt_res_, __LINE__), lhs, expr, "")
#define VMT_ASSIGN_OR_RETURN_CTX(lhs, expr, ctx) VMT_ASSIGN_OR_RETURN_IMPL(VMT_CONCAT(vmt_res_, __LINE__), lhs, expr, ctx)
#define VMT_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr, ctx)                 \
  auto tmp = (expr);                                                    \
  if (!tmp.is_ok()) {                                                   \
    ::vmt::Status vmt_s_ = tmp.take_status();                           \
    if (std::string(ctx).size() != 0) vmt_s_.with_context(ctx);         \
    return vmt_s_;                                                      \
  }                                                                     \
  lhs = std::move(tmp).value()
