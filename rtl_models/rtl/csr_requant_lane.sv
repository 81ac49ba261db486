// csr_requant_lane: one lane of the requantizer (docs/datapath.md section 5.2), combinational.
//   p   = acc * M                 (exact, ACC_BITS + MULT_BITS bits, M unsigned)
//   i   = round_shift(p, s)       (rounding mode of the knob, s = 0..62)
//   idx = sat_N(i), sat_o = (i != idx)
//
// All four modes share one adder and one arithmetic shifter: i = (p + c) >>> s with, for
// s >= 1 and half = 2^(s-1),
//   truncate : c = 0                          (floor)
//   half-up  : c = half                       (floor(p/2^s + 1/2))
//   half-away: c = half - 1 + (p >= 0)        (ties away from zero)
//   half-even: c = half - 1 + p[s]            (ties to the even neighbour; p[s] = lsb of floor)
// and c = 0 for s = 0. (Writing p = q*2^s + rem, 0 <= rem < 2^s: (p + half - 1 + t) >>> s is
// q + 1 exactly when rem > half, or rem == half and t = 1, which is the tie rule.)
module csr_requant_lane
  import csr_pkg::*;
#(
  parameter int ACC_BITS       = 32,
  parameter int MULT_BITS      = 16,
  parameter int LUT_INDEX_BITS = 10
) (
  input  logic [ACC_BITS-1:0]       acc_i,
  input  logic [MULT_BITS-1:0]      mult_i,
  input  logic [5:0]                shift_i,
  input  logic [1:0]                rounding_i,
  input  logic [3:0]                fault_i,
  output logic [LUT_INDEX_BITS-1:0] idx_o,
  output logic                      sat_o
);

  localparam int PW = ACC_BITS + MULT_BITS;            // exact product width (<= 63)
  localparam int RW = (PW + 1 > 64) ? PW + 1 : 64;     // room for p + c and 2^62
  localparam int N  = LUT_INDEX_BITS;

  logic [RW-1:0] acc_x;
  logic [RW-1:0] mult_x;
  logic [RW-1:0] p;
  logic [5:0]    s;
  logic [RW-1:0] half;
  logic [1:0]    mode;
  logic          t;
  logic [RW-1:0] c;
  logic [RW-1:0] pc;
  logic [RW-1:0] sgn;
  logic [RW-1:0] i;
  logic [RW-1:0] i_off;
  logic          fits;
  logic [N-1:0]  sat_val;
  logic [N-1:0]  keep;

  // The product is exact in RW >= PW + 1 bits; the low RW bits of the product of the
  // sign-/zero-extended operands are the same for a signed or an unsigned multiply, so it is
  // written unsigned (a plain multiply in Verilator). Synthesis sees an A x (Wm+1) multiplier.
  // Fault 11: M taken as a signed MULT_BITS number (top bit of M becomes a sign).
  assign acc_x  = RW'($signed(acc_i));
  assign mult_x = (fault_i == CSR_F_MULT_SIGNED) ? RW'($signed(mult_i)) : RW'(mult_i);
  assign p      = acc_x * mult_x;

  // Fault 2: shift off by one.
  assign s      = (fault_i == CSR_F_SHIFT_OFF_BY_ONE) ? shift_i + 6'd1 : shift_i;
  assign half   = {{(RW-1){1'b0}}, 1'b1} << (s - 6'd1);     // only used when s >= 1

  // Fault 1: the configured rounding mode is ignored, the shifter always floors.
  assign mode   = (fault_i == CSR_F_ROUND_FLOOR) ? CSR_RND_TRUNCATE : rounding_i;

  always_comb begin
    unique case (mode)
      CSR_RND_HALF_AWAY: t = !p[RW-1];
      // Fault 12: half-even ties resolved toward the odd neighbour.
      CSR_RND_HALF_EVEN: t = (fault_i == CSR_F_HALF_EVEN_ODD) ? !p[s] : p[s];
      default:           t = 1'b1;
    endcase
  end

  always_comb begin
    if (s == 6'd0 || mode == CSR_RND_TRUNCATE) c = '0;
    else if (mode == CSR_RND_HALF_UP) c = half;
    else c = half - RW'(1) + RW'(t);
  end

  assign pc   = p + c;
  // Arithmetic shift right without a data-dependent select: ((pc ^ sgn) >> s) ^ sgn.
  assign sgn  = {RW{pc[RW-1]}};
  assign i    = ((pc ^ sgn) >> s) ^ sgn;

  // i fits N signed bits iff i + 2^(N-1) is in [0, 2^N).
  assign i_off = i + (RW'(1) << (N - 1));
  assign fits  = (i_off >> N) == '0;
  assign sat_o = !fits;
  // Fault 4: no saturation, the index wraps to N bits.
  assign sat_val = {i[RW-1], {(N-1){~i[RW-1]}}};              // -2^(N-1) or 2^(N-1)-1
  // (An AND-OR select: no data-dependent branch in the Verilated model.)
  assign keep  = {N{fits | (fault_i == CSR_F_NO_INDEX_SAT)}};
  assign idx_o = (i[N-1:0] & keep) | (sat_val & ~keep);

endmodule
