#include "encoding/marshal_type.h"

namespace vmt::encoding {

const char* marshal_type_name(uint8_t t) {
  switch (t) {
    case 1: return "ZSTDNearestDelta2";
    case 2: return "DeltaConst";
    case 3: return "Const";
    case 4: return "ZSTDNearestDelta";
    case 5: return "NearestDelta2";
    case 6: return "NearestDelta";
    default: return "unknown";
  }
}

}  // namespace vmt::encoding
