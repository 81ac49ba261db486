// csr_pkg: shared constants of the conv-silu-requant (csr) datapath RTL.
// The bit-exact contract is docs/datapath.md, profile int-lut (sections 2-5).
package csr_pkg;

  // Config port table select (cfg_sel_i).
  localparam logic [2:0] CSR_SEL_WEIGHT = 3'd0;  // addr = channel d, wdata = {w3, w2, w1, w0} (int8 each)
  localparam logic [2:0] CSR_SEL_BIAS   = 3'd1;  // addr = channel d, wdata[ACC_BITS-1:0] = bias_acc[d]
  localparam logic [2:0] CSR_SEL_MULT   = 3'd2;  // addr = channel d, wdata[MULT_BITS-1:0] = M[d] (unsigned)
  localparam logic [2:0] CSR_SEL_SHIFT  = 3'd3;  // addr = channel d, wdata[5:0] = shift[d] (0..62)
  localparam logic [2:0] CSR_SEL_LUT    = 3'd4;  // addr = idx + 2^(N-1), wdata[OUT_BITS-1:0] = code
  localparam logic [2:0] CSR_SEL_CTRL   = 3'd5;  // addr 0: wdata[1:0] rounding, wdata[2] acc_wrap
                                                 // (only when RUNTIME_KNOBS != 0, else ignored)

  // Rounding modes (docs/datapath.md section 3 / 5.2).
  localparam logic [1:0] CSR_RND_HALF_AWAY = 2'd0;
  localparam logic [1:0] CSR_RND_HALF_EVEN = 2'd1;
  localparam logic [1:0] CSR_RND_HALF_UP   = 2'd2;
  localparam logic [1:0] CSR_RND_TRUNCATE  = 2'd3;  // floor (toward -inf)

  // Planted faults (fault_sel_i when ENABLE_FAULTS != 0, else the FAULT parameter).
  // 0 is the clean design. See rtl_models/README.md for what each one does.
  localparam logic [3:0] CSR_F_NONE              = 4'd0;
  localparam logic [3:0] CSR_F_ROUND_FLOOR       = 4'd1;   // requant always floors
  localparam logic [3:0] CSR_F_SHIFT_OFF_BY_ONE  = 4'd2;   // uses shift + 1
  localparam logic [3:0] CSR_F_LUT_ADDR_PLUS_ONE = 4'd3;   // table address idx + 2^(N-1) + 1
  localparam logic [3:0] CSR_F_NO_INDEX_SAT      = 4'd4;   // index wraps to N bits
  localparam logic [3:0] CSR_F_TAPS_REVERSED     = 4'd5;   // weight[k] multiplies x[t-k]
  localparam logic [3:0] CSR_F_BIAS_DROPPED      = 4'd6;   // bias_acc not added
  localparam logic [3:0] CSR_F_NO_SOS_RESET      = 4'd7;   // line buffer keeps history on sos
  localparam logic [3:0] CSR_F_SKID_DROP         = 4'd8;   // beat lost when the output stalls
  localparam logic [3:0] CSR_F_ACC_ALWAYS_WRAP   = 4'd9;   // accumulator wraps in saturate mode
  localparam logic [3:0] CSR_F_OUT_SIGN_LOST     = 4'd10;  // top bit of the output code cleared
  localparam logic [3:0] CSR_F_MULT_SIGNED       = 4'd11;  // M taken as signed MULT_BITS
  localparam logic [3:0] CSR_F_HALF_EVEN_ODD     = 4'd12;  // half-even ties go to odd
  localparam logic [3:0] CSR_F_STALE_PARAMS      = 4'd13;  // a group uses the previous
                                                           // group's weights/bias
  localparam logic [3:0] CSR_F_SHIFT_ON_BUBBLE   = 4'd14;  // line buffer shifts on input bubbles
  localparam int         CSR_NUM_FAULTS          = 15;     // ids 0..14

endpackage
