// Go's strconv.Unquote for the quoted strings of a series selector ("...", '...', `...`), with
// the quirks MetricsQL's lexer adds for single quotes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/status.h"

namespace vmt::query {

// Go's strconv.Unquote for a quoted token starting at text[*pos] ('"', '\'' or '`'); advances
// *pos past the closing quote. Errors name what is wrong; the caller adds the offset.
Result<std::string> unquote_go(std::string_view text, size_t* pos);

}  // namespace vmt::query
