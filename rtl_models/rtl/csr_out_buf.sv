// csr_out_buf: stage 5, the output register plus a one-entry skid buffer.
//
// The pipeline in front advances (adv_o, also in_ready_o of the top) whenever the skid entry
// is empty, so no ready signal runs combinationally from out_ready_i back to in_ready_o.
// When the output register holds a beat the sink does not take (out_ready_i low) and a new
// beat arrives from stage 4, that beat parks in the skid entry; the pipeline then stalls until
// the sink takes the output register, which refills from the skid entry. Every beat is
// delivered exactly once, in order; with out_ready_i high the throughput is one beat per cycle.
// (The beat's fields are kept as separate registers rather than one concatenated word: same
// hardware, faster in Verilator.)
module csr_out_buf
  import csr_pkg::*;
#(
  parameter int LANES          = 16,
  parameter int ACC_BITS       = 32,
  parameter int LUT_INDEX_BITS = 10,
  parameter int OUT_BITS       = 8,
  parameter int CH_BITS        = 13
) (
  input  logic                            clk_i,
  input  logic                            rst_n_i,
  input  logic [3:0]                      fault_i,
  output logic                            adv_o,
  // stage-4 beat, taken when adv_o
  input  logic                            valid_i,
  input  logic [LANES*OUT_BITS-1:0]       y_i,
  input  logic [LANES*LUT_INDEX_BITS-1:0] idx_i,
  input  logic [LANES-1:0]                sat_i,
  input  logic [LANES*ACC_BITS-1:0]       acc_i,
  input  logic [LANES-1:0]                ovf_i,
  input  logic [CH_BITS-1:0]              ch_base_i,
  input  logic                            sos_i,
  // output beat
  output logic                            valid_o,
  input  logic                            ready_i,
  output logic [LANES*OUT_BITS-1:0]       y_o,
  output logic [LANES*LUT_INDEX_BITS-1:0] idx_o,
  output logic [LANES-1:0]                sat_o,
  output logic [LANES*ACC_BITS-1:0]       acc_o,
  output logic [LANES-1:0]                ovf_o,
  output logic [CH_BITS-1:0]              ch_base_o,
  output logic                            sos_o
);

  logic                            out_valid_q;
  logic                            skid_valid_q;
  logic                            out_free;
  logic                            out_load_new;
  logic                            out_load_skid;
  logic                            skid_load;

  logic [LANES*OUT_BITS-1:0]       y_q,    y_s_q;
  logic [LANES*LUT_INDEX_BITS-1:0] idx_q,  idx_s_q;
  logic [LANES-1:0]                sat_q,  sat_s_q;
  logic [LANES*ACC_BITS-1:0]       acc_q,  acc_s_q;
  logic [LANES-1:0]                ovf_q,  ovf_s_q;
  logic [CH_BITS-1:0]              ch_q,   ch_s_q;
  logic                            sos_q,  sos_s_q;

  assign adv_o         = !skid_valid_q;
  assign out_free      = !out_valid_q || ready_i;
  assign out_load_skid = skid_valid_q && out_free;
  assign out_load_new  = !skid_valid_q && out_free && valid_i;
  // Fault 8: the skid entry is never written, the beat arriving during a stall is lost.
  assign skid_load     = !skid_valid_q && !out_free && valid_i
                         && (fault_i != CSR_F_SKID_DROP);

  always_ff @(posedge clk_i or negedge rst_n_i) begin
    if (!rst_n_i) begin
      out_valid_q  <= 1'b0;
      skid_valid_q <= 1'b0;
    end else begin
      if (out_free) out_valid_q <= skid_valid_q || valid_i;
      if (out_load_skid) skid_valid_q <= 1'b0;
      else if (skid_load) skid_valid_q <= 1'b1;
    end
  end

  always_ff @(posedge clk_i) begin
    if (out_load_skid) begin
      y_q <= y_s_q;  idx_q <= idx_s_q;  sat_q <= sat_s_q;
      acc_q <= acc_s_q;  ovf_q <= ovf_s_q;  ch_q <= ch_s_q;  sos_q <= sos_s_q;
    end else if (out_load_new) begin
      y_q <= y_i;  idx_q <= idx_i;  sat_q <= sat_i;
      acc_q <= acc_i;  ovf_q <= ovf_i;  ch_q <= ch_base_i;  sos_q <= sos_i;
    end
    if (skid_load) begin
      y_s_q <= y_i;  idx_s_q <= idx_i;  sat_s_q <= sat_i;
      acc_s_q <= acc_i;  ovf_s_q <= ovf_i;  ch_s_q <= ch_base_i;  sos_s_q <= sos_i;
    end
  end

  assign valid_o   = out_valid_q;
  assign y_o       = y_q;
  assign idx_o     = idx_q;
  assign sat_o     = sat_q;
  assign acc_o     = acc_q;
  assign ovf_o     = ovf_q;
  assign ch_base_o = ch_q;
  assign sos_o     = sos_q;

endmodule
