#include "ingest/line_pipeline.h"

namespace vmt::ingest {

LinePipeline::~LinePipeline() { stop(); }

void LinePipeline::start(const PipelineOptions& opt) {
  opt_ = opt;
  if (opt_.inputs.empty()) opt_.inputs.push_back("-");
  for (const auto& f : opt_.inputs) names_.push_back(f == "-" ? "stdin" : f);
  prom::BlockPipelineOptions po;
  po.inputs = opt_.inputs;
  po.workers = std::max(1u, opt_.parsers);
  po.pool_blocks = opt_.pool_blocks;
  if (opt_.json_lines) po.reader.max_line_size = kMaxJsonLineSize;
  if (opt_.chunk_bytes > 0) po.reader.chunk_size = opt_.chunk_bytes;
  if (opt_.series_cache && !opt_.json_lines) index_ = std::make_unique<SeriesTextIndex>(opt_.series_cache_bytes);
  // Each parser thread has its own BlockParser; they share the series text index.
  pipe_.start(po, [this]() -> prom::BlockPipeline<ParsedBlock>::Work {
    auto parser = std::make_shared<BlockParser>(opt_.naming, opt_.default_timestamp_ms, index_.get());
    parser->set_json_lines(opt_.json_lines);
    parser->set_multitenant(opt_.multitenant);
    return [parser](ParsedBlock& b) { parser->parse(b); };
  });
}

}  // namespace vmt::ingest
