"""Golden values: every indicator of the catalogue computed on the fixture warehouse (tests/indicators_fixture.py)
and compared with numbers worked out by hand, the working written next to each expected value.

Reading guide to the fixture: Attapeu (LA-AT, districts 1703, 1705) and Savannakhet (LA-SV, district 1306), 2022.
Population (2022): AT F 600 (children 300, 15-59 200, 60+ 100), AT M 550 (300, 200, 50), SV F 1100 (600, 400, 100),
SV M 1000 (600, 300, 100); national 3,250, children 1,800, 60+ 350.
Grant register: b1 (n1, AT 1703 F pregnant, enrolled 01-10), b2 (n2, AT 1703 F child, 01-15), b3 (no id, AT 1703 M
child, 02-01), b4 (n4, AT 1705 M child, 02-20), b5 (no id, SV 1306 F child, 03-05), b6 (n6, SV 1306 F pregnant,
04-10), b7 (n7, SV 1306 M child, 05-01), b8 (n1 again = b1's person, AT 1703 F pregnant, 04-01).
First payments: b1 02-10, b2 03-01, b3 02-25, b5 04-05, b6 06-30, b8 05-01; b4 and b7 never paid.
Parameters: grace 15 days, grievance standard 30 days, disability prevalence 0.02, pregnant women per birth 0.75,
poverty AT 0.2, SV 0.1 (tests/indicators_fixture.py PARAMETER_OVERRIDES).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from indicators.engine import compute_all
from indicators.parameters import load_parameters
from indicators.warehouse_access import open_version
from indicators_fixture import TABLES, VERSION, D, write_parameters, write_warehouse


@dataclass(frozen=True)
class Golden:
    indicator_id: str
    period: str
    numerator: float | None
    denominator: float | None
    value: float | None
    province: str = "LA"
    district: str | None = None
    sex: str = "_T"
    breakdown: str = "_T"
    breakdown_value: str = "_T"
    lower: float | None = None
    upper: float | None = None

    def __str__(self) -> str:
        return (
            f"{self.indicator_id}/{self.period}/{self.province}/{self.district or '-'}/{self.sex}/"
            f"{self.breakdown}={self.breakdown_value}"
        )


G = Golden
GOLDEN: list[Golden] = [
    # --- SI_COV_BENFTS, 2022-Q2 (Q1 has no social security return, so no value). Grant recipients are persons
    # paid in the quarter: Q2 n1 (b1 04-30 / b8 05-01: one person, placed at b8, AT F), b5 (SV F), n6 (SV F);
    # n2 and b3 were paid in Q1 only and no longer count (they did when "ever paid" was the rule).
    # Components per province x sex:
    # AT F: contributors 30+20=50, pensioners 5+5=10, maternity 2, unemployment 1, disability 1, grant recipients 1
    #   (n1), cash transfer 20 -> sum 85 (was 86), largest 50, population 600.
    # AT M: 60, 5, 0, 2, 2, grant 0 (b3 not paid in Q2), transfer 10 -> 79 (was 80), largest 60, pop 550.
    # SV F: 40, 10, 4, 2, 1, grant 2 (b5, n6 paid 06-30), transfer 30 -> 89, largest 40, pop 1100.
    # SV M: 60, 10, 0, 3, 3, grant 0, transfer 20 -> 96, largest 60, pop 1000.
    # National: 85+79+89+96 = 349 / 3250; lower (50+60+40+60)/3250 = 210/3250; upper = value.
    G("SI_COV_BENFTS", "2022-Q2", 349, 3250, 100 * 349 / 3250, lower=100 * 210 / 3250, upper=100 * 349 / 3250),
    G(
        "SI_COV_BENFTS",
        "2022-Q2",
        164,
        1150,
        100 * 164 / 1150,
        province="LA-AT",
        lower=100 * 110 / 1150,
        upper=100 * 164 / 1150,
    ),
    G("SI_COV_BENFTS", "2022-Q2", 174, 1700, 100 * 174 / 1700, sex="F", lower=100 * 90 / 1700, upper=100 * 174 / 1700),
    G("SI_COV_BENFTS", "2022-Q2", 96, 1000, 9.6, province="LA-SV", sex="M", lower=6.0, upper=9.6),
    # --- SI_COV_CHLD: grant children paid in the quarter / children 0-14.
    # Q1: n2 (AT F), b3 (AT M) = 2 / 1800. Q2: only b5 (SV F) was paid -> 1 / 1800 (was 3 when everyone ever paid
    # stayed counted); AT Q2: 0 / 600, a true zero.
    G("SI_COV_CHLD", "2022-Q1", 2, 1800, 100 * 2 / 1800),
    G("SI_COV_CHLD", "2022-Q2", 1, 1800, 100 * 1 / 1800),
    G("SI_COV_CHLD", "2022-Q2", 0, 600, 0.0, province="LA-AT"),
    G("SI_COV_CHLD", "2022-Q1", 2, 600, 100 * 2 / 600, province="LA-AT"),
    G("SI_COV_CHLD", "2022-Q2", 1, 600, 100 / 600, province="LA-SV", sex="F"),
    # Zero is a value: Savannakhet has children but no grant child paid in Q1 -> 0 of 1200 is 0%, not "no data",
    # so the national 2/1800 is the sum of AT 2/600 and SV 0/1200. Likewise SV boys in Q2 (b7 never paid).
    G("SI_COV_CHLD", "2022-Q1", 0, 1200, 0.0, province="LA-SV"),
    G("SI_COV_CHLD", "2022-Q2", 0, 600, 0.0, province="LA-SV", sex="M"),
    # --- SI_COV_MATNL, Q2: social security maternity (AT 2, SV 4) + pregnant women paid in Q2 (AT: n1 via b1 04-30
    # and b8 05-01 = 1 person; SV: n6 06-30 = 1) / births of 2022 / 4 (AT 100/4 = 25, SV 260/4 = 65).
    # AT 3/25 = 12% (lower 2/25); SV 5/65 (lower 4/65); national 8/90 (lower 6/90).
    G("SI_COV_MATNL", "2022-Q2", 8, 90, 100 * 8 / 90, lower=100 * 6 / 90, upper=100 * 8 / 90),
    G("SI_COV_MATNL", "2022-Q2", 3, 25, 12.0, province="LA-AT", lower=8.0, upper=12.0),
    G("SI_COV_MATNL", "2022-Q2", 5, 65, 100 * 5 / 65, province="LA-SV", lower=100 * 4 / 65, upper=100 * 5 / 65),
    # --- SI_COV_DISAB, Q2: disability recipients AT F 1, AT M 2, SV F 1, SV M 3 = 7 / (3250 x 0.02 = 65).
    G("SI_COV_DISAB", "2022-Q2", 7, 65, 100 * 7 / 65),
    G("SI_COV_DISAB", "2022-Q2", 3, 23, 100 * 3 / 23, province="LA-AT"),  # 1150 x 0.02 = 23
    G("SI_COV_DISAB", "2022-Q2", 1, 12, 100 / 12, province="LA-AT", sex="F"),  # 600 x 0.02 = 12
    # --- SI_COV_UEMP, Q2: unemployment recipients 1+2+2+3 = 8 / unemployed 10+10+20+20 = 60.
    G("SI_COV_UEMP", "2022-Q2", 8, 60, 100 * 8 / 60),
    G("SI_COV_UEMP", "2022-Q2", 1, 10, 10.0, province="LA-AT", sex="F"),
    # --- SI_COV_WKINJRY, Q2: injury-covered AT F 45, AT M 55, SV F 35, SV M 55 = 190 / employed 950 = 20%.
    G("SI_COV_WKINJRY", "2022-Q2", 190, 950, 20.0),
    G("SI_COV_WKINJRY", "2022-Q2", 55, 200, 27.5, province="LA-AT", sex="M"),
    # --- SI_COV_PENSN, Q2: pensioners 10+5+10+10 = 35 / persons 60+ 100+50+100+100 = 350.
    G("SI_COV_PENSN", "2022-Q2", 35, 350, 10.0),
    G("SI_COV_PENSN", "2022-Q2", 5, 50, 10.0, province="LA-AT", sex="M"),
    # --- SI_COV_VULN, Q2: recipients = grant recipients paid in Q2 + transfer: AT F 1+20, AT M 0+10, SV F 2+30,
    # SV M 0+20 = 83 (was 85 with n2 and b3 still counted).
    # Vulnerable = children + (15-59 - contributors) + (60+ - pensioners): AT F 300+150+90 = 540, AT M 300+140+45
    # = 485, SV F 600+360+90 = 1050, SV M 600+240+90 = 930 -> 3005. Lower: 20+10+30+20 = 80.
    G("SI_COV_VULN", "2022-Q2", 83, 3005, 100 * 83 / 3005, lower=100 * 80 / 3005, upper=100 * 83 / 3005),
    G(
        "SI_COV_VULN",
        "2022-Q2",
        31,
        1025,
        100 * 31 / 1025,
        province="LA-AT",
        lower=100 * 30 / 1025,
        upper=100 * 31 / 1025,
    ),
    # --- SI_COV_POOR, Q2: same 83 recipients / poor = AT 1150 x 0.2 = 230 + SV 2100 x 0.1 = 210 -> 440.
    G("SI_COV_POOR", "2022-Q2", 83, 440, 100 * 83 / 440, lower=100 * 80 / 440, upper=100 * 83 / 440),
    G(
        "SI_COV_POOR",
        "2022-Q2",
        21,
        120,
        100 * 21 / 120,
        province="LA-AT",
        sex="F",
        lower=100 * 20 / 120,
        upper=100 * 21 / 120,
    ),
    # --- NSPS_HI_COV, Q2: members 100+50+90+20+200+100 = 560 / 3250. By scheme: over the whole population
    # (HEF 100+90 = 190 / 3250); by age group: over that group (0-14: 190 / 1800; 60+: 20 / 350).
    G("NSPS_HI_COV", "2022-Q2", 560, 3250, 100 * 560 / 3250),
    G("NSPS_HI_COV", "2022-Q2", 190, 3250, 100 * 190 / 3250, breakdown="scheme", breakdown_value="health_equity_fund"),
    G("NSPS_HI_COV", "2022-Q2", 190, 1800, 100 * 190 / 1800, breakdown="age_group", breakdown_value="0-14"),
    G("NSPS_HI_COV", "2022-Q2", 20, 350, 100 * 20 / 350, breakdown="age_group", breakdown_value="60+"),
    G(
        "NSPS_HI_COV",
        "2022-Q2",
        100,
        300,
        100 / 3,
        province="LA-AT",
        sex="F",
        breakdown="age_group",
        breakdown_value="0-14",
    ),
    # --- NSPS_SS_CONTRIB, Q2: contributors 50+60+40+60 = 210 / employed 950; public scheme 20+10 = 30 / 950.
    G("NSPS_SS_CONTRIB", "2022-Q2", 210, 950, 100 * 210 / 950),
    G("NSPS_SS_CONTRIB", "2022-Q2", 30, 950, 100 * 30 / 950, breakdown="scheme", breakdown_value="public"),
    G("NSPS_SS_CONTRIB", "2022-Q2", 50, 150, 100 / 3, province="LA-AT", sex="F"),
    # --- NSPS_SS_PERSONS, Q2: insured 100+110+80+100 = 390 / 3250 = 12%; private 60+90+80+100 = 330 / 3250.
    G("NSPS_SS_PERSONS", "2022-Q2", 390, 3250, 12.0),
    G("NSPS_SS_PERSONS", "2022-Q2", 330, 3250, 100 * 330 / 3250, breakdown="scheme", breakdown_value="private"),
    G("NSPS_SS_PERSONS", "2022-Q2", 110, 550, 20.0, province="LA-AT", sex="M"),  # 90 + 20 insured / 550
    # --- NSPS_SW_MECG: records enrolled by the quarter's end / eligible in covered districts (1703, 1705, 1306):
    # children = births (1703: 40 F + 40 M, 1705: 10 + 10, 1306: 30 + 30 = 160), pregnant women = births x 0.75
    # (1703: 60, 1705: 15, 1306: 45 = 120, all F). Total 280. Q1: b1..b5 = 5; Q2: all 8.
    G("NSPS_SW_MECG", "2022-Q1", 5, 280, 100 * 5 / 280),
    G("NSPS_SW_MECG", "2022-Q2", 8, 280, 100 * 8 / 280),
    G("NSPS_SW_MECG", "2022-Q2", 4, 140, 100 * 4 / 140, province="LA-AT", district="1703"),  # b1 b2 b3 b8
    G("NSPS_SW_MECG", "2022-Q2", 5, 160, 100 * 5 / 160, breakdown="beneficiary_type", breakdown_value="child"),
    G("NSPS_SW_MECG", "2022-Q2", 3, 120, 2.5, breakdown="beneficiary_type", breakdown_value="pregnant_woman"),
    G("NSPS_SW_MECG", "2022-Q2", 5, 200, 2.5, sex="F"),  # b1 b2 b5 b6 b8 / (girls 80 + pregnant women 120)
    G("NSPS_SW_MECG", "2022-Q2", 3, 80, 3.75, sex="M"),  # b3 b4 b7 / boys 80
    # --- NSPS_SW_MEALS, Q2: fed 80+70+150+100 = 400 / enrolled 600; AT 150/200; F 230/300; Nong 250/400.
    G("NSPS_SW_MEALS", "2022-Q2", 400, 600, 100 * 400 / 600),
    G("NSPS_SW_MEALS", "2022-Q2", 150, 200, 75.0, province="LA-AT"),
    G("NSPS_SW_MEALS", "2022-Q2", 230, 300, 100 * 230 / 300, sex="F"),
    G("NSPS_SW_MEALS", "2022-Q2", 250, 400, 62.5, province="LA-SV", district="1306"),
    # --- NSPS_FIN_EXEC, year to date: 2022 is reported to 30 June = day 181 of 365, so the allocation it is set
    # against is 181/365 of the year's. Executed 800+500+1000 = 2300 / (3500 x 181/365 = 1735.6) = 132.5% (the
    # whole-year ratio 2300/3500 = 65.7% compared half a year's spending with a whole year's money). MoLSW
    # 1300 / (1500 x 181/365); MoH 1000 / (2000 x 181/365); programme MECG 800 / (1000 x 181/365) (the line without
    # a programme is only in totals). 2021 has no reporting date: the whole year, 500/1000.
    G("NSPS_FIN_EXEC", "2022", 2300, 3500 * 181 / 365, 100 * 2300 / (3500 * 181 / 365)),
    G(
        "NSPS_FIN_EXEC",
        "2022",
        1300,
        1500 * 181 / 365,
        100 * 1300 / (1500 * 181 / 365),
        breakdown="ministry",
        breakdown_value="MoLSW",
    ),
    G(
        "NSPS_FIN_EXEC",
        "2022",
        1000,
        2000 * 181 / 365,
        100 * 1000 / (2000 * 181 / 365),
        breakdown="ministry",
        breakdown_value="MoH",
    ),
    G(
        "NSPS_FIN_EXEC",
        "2022",
        800,
        1000 * 181 / 365,
        100 * 800 / (1000 * 181 / 365),
        breakdown="programme",
        breakdown_value="MECG",
    ),
    G("NSPS_FIN_EXEC", "2021", 500, 1000, 50.0),
    # --- PAY_ONTIME (grant ledger only, grace 15). Q1 grant payments due: p1 (9 days: on time), p3 (28: late),
    # p5 (early: on time), p6 (unpaid, grace long past: late) -> 2/4. Q2: p2 (29 late), p4 (unpaid), p7 (4 on
    # time), p8 (60 late), p10 (0 on time); p9 cancelled excluded -> 2/5. The MAF transfer is no longer mixed in
    # (the mixed headline was 57/85 = 67.1% under the grant's name; now 40% and, beside it, MAF 68.75%).
    G("PAY_ONTIME", "2022-Q1", 2, 4, 50.0),
    G("PAY_ONTIME", "2022-Q2", 2, 5, 40.0),
    G("PAY_ONTIME", "2022-Q2", 1, 3, 100 / 3, province="LA-AT"),  # p2 p4 p10
    G("PAY_ONTIME", "2022-Q2", 2, 4, 50.0, breakdown="channel", breakdown_value="wallet"),  # p2 p7 p8 p10
    G("PAY_ONTIME", "2022-Q2", 0, 1, 0.0, breakdown="channel", breakdown_value="cash"),  # p4
    G("PAY_ONTIME", "2022-Q2", 2, 3, 100 * 2 / 3, breakdown="cycle", breakdown_value="1"),  # p7 p8 p10
    G("PAY_ONTIME", "2022-Q2", 1, 3, 100 / 3, province="LA-AT", district="1703"),  # p2 p4 p10
    G("PAY_ONTIME", "2022-Q2", 2, 5, 40.0, sex="F"),  # p2 p4 p7 p8 p10 are all women's
    # --- PAY_ONTIME_MAF: the transfer's own reported rate, Q2 on time 15+10+20+10 = 55 of 20+10+30+20 = 80.
    G("PAY_ONTIME_MAF", "2022-Q2", 55, 80, 68.75),
    G("PAY_ONTIME_MAF", "2022-Q2", 25, 30, 100 * 25 / 30, province="LA-AT"),
    G("PAY_ONTIME_MAF", "2022-Q2", 35, 50, 70.0, sex="F"),
    G("PAY_ONTIME_MAF", "2022-Q2", 20, 30, 100 * 2 / 3, province="LA-SV", district="1306", sex="F"),
    # --- PAY_DELAY_MEDIAN / P90 over all payments due whose 15 days' grace has run out by the ledger's date
    # (2022-06-30); days late (0 when early); an unpaid one is "censored": at least as late as that date. The
    # quantile is Kaplan-Meier's: the first day by which the estimated share paid reaches 50% (90%); when it never
    # does, the longest time observed (a lower bound).
    # Q1: p5 0, p1 9, p3 28 paid; p6 unpaid since 03-01: 121. Paid share: after 0 days 1/4, after 9 days 1/2 ->
    # median 9; after 28 days 3/4, then only p6 (unpaid) -> P90 at least 121 (was 24.2 over paid ones only).
    # Q2: p10 0, p7 4, p2 29, p8 60 paid; p4 unpaid since 04-01: 90 (p9 cancelled). Paid share 1/5, 2/5, then at
    # 29 days 1 - (4/5 x 3/4 x 2/3) = 3/5 -> median 29 (was 16.5); at 60 days 4/5, then p4 -> P90 at least 90
    # (was 50.7). Q2 AT: p10 0, p2 29, p4 90 unpaid -> 1/3, 2/3 at 29 -> median 29; P90 90. Q1 cash: p3 28, p6 121
    # unpaid -> 1/2 at 28 -> median 28 (was 28 over p3 alone).
    G("PAY_DELAY_MEDIAN", "2022-Q1", 4, None, 9.0),
    G("PAY_DELAY_MEDIAN", "2022-Q2", 5, None, 29.0),
    G("PAY_DELAY_MEDIAN", "2022-Q2", 3, None, 29.0, province="LA-AT"),
    G("PAY_DELAY_MEDIAN", "2022-Q1", 2, None, 28.0, breakdown="channel", breakdown_value="cash"),
    G("PAY_DELAY_P90", "2022-Q1", 4, None, 121.0, lower=121.0, upper=None),  # "at least": lower bound only
    G("PAY_DELAY_P90", "2022-Q2", 5, None, 90.0, lower=90.0, upper=None),
    G("PAY_DELAY_P90", "2022-Q2", 3, None, 90.0, province="LA-AT", lower=90.0, upper=None),
    # --- PAY_NEVER_PAID at each quarter's end. Q1 (03-31): enrolled b1..b5; unpaid by then b4, b5 (first paid
    # 04-05) -> 2/5. Q2 (06-30): 8 enrolled, unpaid b4, b7 -> 2/8. AT Q2: b4 of 5. Channel from the register
    # (cash = no phone: b2 b4 b7): cash Q2 2/3. Children Q2: b4 b7 of b2 b3 b4 b5 b7 -> 2/5.
    G("PAY_NEVER_PAID", "2022-Q1", 2, 5, 40.0),
    G("PAY_NEVER_PAID", "2022-Q2", 2, 8, 25.0),
    G("PAY_NEVER_PAID", "2022-Q2", 1, 5, 20.0, province="LA-AT"),
    G("PAY_NEVER_PAID", "2022-Q2", 2, 3, 100 * 2 / 3, breakdown="channel", breakdown_value="cash"),
    G("PAY_NEVER_PAID", "2022-Q2", 2, 5, 40.0, breakdown="beneficiary_type", breakdown_value="child"),
    # --- PAY_ARREARS_LAK at each quarter's end: due and not yet paid. Q1: p6 300,000 (p1 p3 p5 paid in Q1).
    # Q2: p6 300,000 + p4 300,000 + p8's unpaid half 150,000 = 750,000 (p9 cancelled). AT Q2 p6 + p4; SV Q2 p8.
    G("PAY_ARREARS_LAK", "2022-Q1", 300_000, None, 300_000),
    G("PAY_ARREARS_LAK", "2022-Q2", 750_000, None, 750_000),
    G("PAY_ARREARS_LAK", "2022-Q2", 600_000, None, 600_000, province="LA-AT"),
    G("PAY_ARREARS_LAK", "2022-Q2", 150_000, None, 150_000, province="LA-SV"),
    G("PAY_ARREARS_LAK", "2022-Q1", 0, None, 0, province="LA-AT", district="1703"),
    G("PAY_ARREARS_LAK", "2022-Q2", 600_000, None, 600_000, breakdown="channel", breakdown_value="cash"),
    G("PAY_ARREARS_LAK", "2022-Q2", 450_000, None, 450_000, breakdown="cycle", breakdown_value="1"),  # p6 + p8
    # --- PAY_FIRST_LAG: days from enrolment to first payment, by the quarter of enrolment; a record never paid
    # waits from enrolment to the ledger's date 06-30 (censored). Kaplan-Meier median. Q1 enrolled: b3 24, b1 31,
    # b5 31, b2 45 paid; b4 (02-20) unpaid: 130. Paid share after 24 days 1/5, after 31 days 1 - 4/5 x 2/4 = 3/5
    # -> 31. Q2 enrolled: b8 30 paid, b7 (05-01) unpaid: 60, b6 81 paid: 1/3 after 30 days, b7 leaves at 60, the
    # last at risk (b6) paid at 81 -> 81 (before: 31 over those first paid in Q2 - b5, b6, b8 - leaving b4, b7 out).
    # Q1 wallet (register phone): b1 31, b3 24, b5 31 -> 31. Q2 SV: b6 81, b7 unpaid 60 -> 81.
    G("PAY_FIRST_LAG", "2022-Q1", 5, None, 31.0),
    G("PAY_FIRST_LAG", "2022-Q2", 3, None, 81.0),
    G("PAY_FIRST_LAG", "2022-Q2", 2, None, 81.0, province="LA-SV"),
    G("PAY_FIRST_LAG", "2022-Q1", 3, None, 31.0, breakdown="channel", breakdown_value="wallet"),
    # --- COORD_MEETINGS (by planned quarter). Q1: M1 central held, M2 AT held, M3 SV not held -> 2/3; central
    # 1/1; SV 0/1. Q2: M4 AT, M5 SV held -> 2/2.
    G("COORD_MEETINGS", "2022-Q1", 2, 3, 100 * 2 / 3),
    G("COORD_MEETINGS", "2022-Q1", 1, 1, 100.0, breakdown="level", breakdown_value="central"),
    G("COORD_MEETINGS", "2022-Q1", 0, 1, 0.0, province="LA-SV"),
    G("COORD_MEETINGS", "2022-Q2", 2, 2, 100.0),
    # --- COORD_ATTENDANCE at meetings held. Q1: M1 2 of 3, M2 2 of 2 -> 4/5; Q2: M4 2/2, M5 1/2 -> 3/4.
    G("COORD_ATTENDANCE", "2022-Q1", 4, 5, 80.0),
    G("COORD_ATTENDANCE", "2022-Q1", 2, 3, 100 * 2 / 3, breakdown="level", breakdown_value="central"),
    G("COORD_ATTENDANCE", "2022-Q2", 1, 2, 50.0, province="LA-SV"),
    # --- COORD_ATTENDANCE_LEVEL, of those present: Q1 minister, delegate, governor, delegate -> 2/4; men 2/2,
    # women 0/2. Q2: vice-governor, director, delegate -> 2/3.
    G("COORD_ATTENDANCE_LEVEL", "2022-Q1", 2, 4, 50.0),
    G("COORD_ATTENDANCE_LEVEL", "2022-Q1", 2, 2, 100.0, sex="M"),
    G("COORD_ATTENDANCE_LEVEL", "2022-Q1", 0, 2, 0.0, sex="F"),
    G("COORD_ATTENDANCE_LEVEL", "2022-Q2", 2, 3, 100 * 2 / 3),
    # --- COORD_REPORT_TIMELY / COMPLETE. Q2 expected 6: on time LSSO, AT referrals, AT grievances (3); received
    # 5 (MoES missing). AT 2/2 both; SV late: timely 0/1, complete 1/1. Ministries: timely 1/3, complete 2/3.
    # Q1: LSSO missing, AT referrals on time -> 1/2 both.
    G("COORD_REPORT_TIMELY", "2022-Q2", 3, 6, 50.0),
    G("COORD_REPORT_TIMELY", "2022-Q2", 0, 1, 0.0, province="LA-SV"),
    G("COORD_REPORT_TIMELY", "2022-Q2", 1, 3, 100 / 3, breakdown="sender_type", breakdown_value="ministry"),
    G("COORD_REPORT_TIMELY", "2022-Q2", 0, 1, 0.0, breakdown="sender", breakdown_value="MAF"),
    G("COORD_REPORT_TIMELY", "2022-Q1", 1, 2, 50.0),
    G("COORD_REPORT_COMPLETE", "2022-Q2", 5, 6, 100 * 5 / 6),
    G("COORD_REPORT_COMPLETE", "2022-Q2", 1, 1, 100.0, province="LA-SV"),
    G("COORD_REPORT_COMPLETE", "2022-Q2", 2, 3, 100 * 2 / 3, breakdown="sender_type", breakdown_value="ministry"),
    # --- COORD_REFERRAL_DONE (by referral quarter), as of the referral log's date 2022-06-10 (f6 referred), with
    # 30 days' standard time. Q1: f1, f3 completed of f1 f2 f3 -> 2/3. Q2: f4, f5 completed, f7 (04-15) open past
    # its 30 days: not done; f6 (06-10) open but inside its 30 days: pending, not a failure -> 2/3, 1 pending
    # (was 2/4). SV 2/2 (f6 pending); AT 0/1 (f7); health Q2 f4 f5 of f4 f5 f7 -> 2/3; women Q2 f4 of f4 f7 -> 1/2.
    G("COORD_REFERRAL_DONE", "2022-Q1", 2, 3, 100 * 2 / 3),
    G("COORD_REFERRAL_DONE", "2022-Q2", 2, 3, 100 * 2 / 3),
    G("COORD_REFERRAL_DONE", "2022-Q2", 2, 2, 100.0, province="LA-SV"),
    G("COORD_REFERRAL_DONE", "2022-Q2", 0, 1, 0.0, province="LA-AT"),
    G("COORD_REFERRAL_DONE", "2022-Q2", 2, 3, 100 * 2 / 3, breakdown="to_service", breakdown_value="health"),
    G("COORD_REFERRAL_DONE", "2022-Q2", 1, 2, 50.0, sex="F"),
    # --- COORD_COUNTER_REFERRAL: of completed, feedback back. Q1: f1 yes, f3 no -> 1/2. Q2: f4, f5 -> 2/2.
    G("COORD_COUNTER_REFERRAL", "2022-Q1", 1, 2, 50.0),
    G("COORD_COUNTER_REFERRAL", "2022-Q2", 2, 2, 100.0),
    G(
        "COORD_COUNTER_REFERRAL",
        "2022-Q1",
        1,
        2,
        50.0,
        province="LA-AT",
        breakdown="from_programme",
        breakdown_value="mecg",
    ),
    # --- COORD_GRIEVANCE_TIMELY (30 days). Q1: g1 19 days yes, g2 50 no, g3 open long past 30 days no -> 1/3;
    # AT 1/2; women: g1 -> 1/1 (g3 has no sex: totals only). Q2: g4 exactly 30 days -> 1/1.
    G("COORD_GRIEVANCE_TIMELY", "2022-Q1", 1, 3, 100 / 3),
    G("COORD_GRIEVANCE_TIMELY", "2022-Q1", 1, 2, 50.0, province="LA-AT"),
    G("COORD_GRIEVANCE_TIMELY", "2022-Q1", 1, 1, 100.0, sex="F"),
    # g3 has no recorded sex: it is counted under "_U" (sex not recorded), so women 1 + men 1 + unknown 1 = 3.
    G("COORD_GRIEVANCE_TIMELY", "2022-Q1", 0, 1, 0.0, sex="_U"),
    G("COORD_GRIEVANCE_TIMELY", "2022-Q1", 0, 1, 0.0, sex="M"),
    G("COORD_GRIEVANCE_TIMELY", "2022-Q2", 1, 1, 100.0),
    # --- COORD_ID_LINKABLE, records enrolled by the quarter's end with a national id. Q1: b1 b2 b4 of b1..b5 ->
    # 3/5. Q2: b1 b2 b4 b6 b7 b8 of 8 -> 6/8; AT 4/5; district 1703: b1 b2 b8 of b1 b2 b3 b8 -> 3/4.
    G("COORD_ID_LINKABLE", "2022-Q1", 3, 5, 60.0),
    G("COORD_ID_LINKABLE", "2022-Q2", 6, 8, 75.0),
    G("COORD_ID_LINKABLE", "2022-Q2", 4, 5, 80.0, province="LA-AT"),
    G("COORD_ID_LINKABLE", "2022-Q2", 3, 4, 75.0, province="LA-AT", district="1703"),
    # --- COORD_COMPLEMENTARITY, persons paid by the quarter's end found among HI members (n1, n6, n9). Q1: n1
    # yes, n2 no, b3 no id -> 1/3, upper (1 + 1 unlinkable)/3. Q2: + b5 (no id), n6 (yes) -> 2/5, upper 4/5.
    G("COORD_COMPLEMENTARITY", "2022-Q1", 1, 3, 100 / 3, lower=100 / 3, upper=100 * 2 / 3),
    G("COORD_COMPLEMENTARITY", "2022-Q2", 2, 5, 40.0, lower=40.0, upper=80.0),
    G("COORD_COMPLEMENTARITY", "2022-Q2", 1, 2, 50.0, province="LA-SV", lower=50.0, upper=100.0),
    # --- COORD_ROADMAP, actions due by the quarter's end and not done before it began, done by its end (A4
    # dropped, A5 due 2099 excluded). The roadmap list is as of its last completion, 2022-07-15 (A6).
    # Q1: A1 done 03-20, A2 due 03-15 not done by 03-31 -> 1/2. Q2: A2 is a backlog until done (04-10: done in
    # Q2) + A3 due 06-30 not done -> 1/2 (was 0/1 when only the quarter's own actions counted). Q3, to 07-15:
    # A3 overdue and still open; A6 is due 07-31, after the list's date, so not yet due -> 0/1.
    G("COORD_ROADMAP", "2022-Q1", 1, 2, 50.0),
    G("COORD_ROADMAP", "2022-Q1", 0, 1, 0.0, breakdown="responsible_ministry", breakdown_value="MoLSW"),
    G("COORD_ROADMAP", "2022-Q2", 1, 2, 50.0),
    G("COORD_ROADMAP", "2022-Q2", 1, 2, 50.0, breakdown="responsible_ministry", breakdown_value="MoLSW"),
    G("COORD_ROADMAP", "2022-Q3", 0, 1, 0.0),
    # --- COORD_TRAINING: Q1 E1 40 (national event) + E2 30 (AT) = 70; AT 30; Q2 E3 20.
    G("COORD_TRAINING", "2022-Q1", 70, None, 70),
    G("COORD_TRAINING", "2022-Q1", 30, None, 30, province="LA-AT"),
    G("COORD_TRAINING", "2022-Q1", 40, None, 40, breakdown="level", breakdown_value="national"),
    G("COORD_TRAINING", "2022-Q2", 20, None, 20),
    # --- COORD_TRAINING_WOMEN: Q1 (10 + 12) / 70; AT 12/30; Q2 8/20.
    G("COORD_TRAINING_WOMEN", "2022-Q1", 22, 70, 100 * 22 / 70),
    G("COORD_TRAINING_WOMEN", "2022-Q1", 12, 30, 40.0, province="LA-AT"),
    G("COORD_TRAINING_WOMEN", "2022-Q2", 8, 20, 40.0),
    # --- PCI = condition x (0.3 timeliness + 0.2 referrals + 0.3 on-time payment + 0.2 id linkability). On-time
    # payment = grant and MAF payments due to the province, each by its own rule: AT Q2 (1 + 25) / (3 + 30).
    # AT Q2: 0.3 x 1 + 0.2 x 0 + 0.3 x 26/33 + 0.2 x 0.8 = 0.3 + 0.23636 + 0.16 = 0.69636; M4 held -> x 1.
    # SV Q2: 0.3 x 0 + 0.2 x 2/2 (f6 pending) + 0.3 x 31/52 + 0.2 x 2/3 = 0.2 + 0.17885 + 0.13333 = 0.51218.
    # AT Q1: 0.3 x 1 + 0.2 x 2/3 + 0.3 x 0.5 + 0.2 x 0.75 = 0.73333.
    # SV Q1: only id linkability (b5 without id: 0) has data; the three others count 0; and M3 not held -> 0.
    # National Q2: 0.3 x 0.5 + 0.2 x 2/3 + 0.3 x 57/85 + 0.2 x 0.75 = 0.63451 (no central meeting planned -> x 1).
    G("PCI", "2022-Q2", None, None, 0.3 + 0.3 * 26 / 33 + 0.2 * 0.8, province="LA-AT"),
    G("PCI", "2022-Q2", None, None, 0.2 * 1 + 0.3 * 31 / 52 + 0.2 * 2 / 3, province="LA-SV"),
    G("PCI", "2022-Q1", None, None, 0.3 + 0.2 * 2 / 3 + 0.3 * 0.5 + 0.2 * 0.75, province="LA-AT"),
    G("PCI", "2022-Q1", None, None, 0.0, province="LA-SV"),
    G("PCI", "2022-Q2", None, None, 0.3 * 0.5 + 0.2 * 2 / 3 + 0.3 * 57 / 85 + 0.2 * 0.75),
    G(
        "PCI",
        "2022-Q2",
        None,
        None,
        26 / 33,
        province="LA-AT",
        breakdown="component",
        breakdown_value="payment_on_time",
    ),
    G("PCI", "2022-Q1", None, None, 0.0, province="LA-SV", breakdown="component", breakdown_value="condition_met"),
]


@pytest.fixture(scope="module")
def tidy(tmp_path_factory):
    root = tmp_path_factory.mktemp("golden")
    write_warehouse(root / "warehouse")
    params = load_parameters(write_parameters(root / "parameters.toml"))
    con = open_version(VERSION, root / "warehouse")
    return compute_all(con, VERSION, params)


def _row(tidy, case: Golden):
    match = tidy[
        (tidy["indicator_id"] == case.indicator_id)
        & (tidy["period"] == case.period)
        & (tidy["province"] == case.province)
        & (tidy["sex"] == case.sex)
        & (tidy["breakdown"] == case.breakdown)
        & (tidy["breakdown_value"] == case.breakdown_value)
        & ((tidy["district"] == case.district) if case.district else tidy["district"].isna())
    ]
    assert len(match) == 1, f"{case}: expected one row, found {len(match)}"
    return match.iloc[0]


def _same(actual, expected) -> bool:
    if expected is None:
        return actual is None or actual != actual  # NaN
    return actual == pytest.approx(expected, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("case", GOLDEN, ids=str)
def test_golden_value(tidy, case):
    row = _row(tidy, case)
    got = (row["numerator"], row["denominator"], row["value"])
    assert _same(row["numerator"], case.numerator), f"numerator {got}"
    assert _same(row["denominator"], case.denominator), f"denominator {got}"
    assert _same(row["value"], case.value), f"value {got}"
    if case.lower is not None or case.upper is not None or case.indicator_id.startswith("PAY_DELAY"):
        assert _same(row["lower_bound"], case.lower) and _same(row["upper_bound"], case.upper), (
            row["lower_bound"],
            row["upper_bound"],
        )


def test_quarter_without_its_social_security_return_has_no_coverage_value(tidy):
    # 2022-Q1 has grant recipients but no social security return: SI_COV_BENFTS is not published for it.
    assert tidy[(tidy["indicator_id"] == "SI_COV_BENFTS") & (tidy["period"] == "2022-Q1")].empty


def test_pci_flags_and_explains(tmp_path):
    con = open_version(VERSION, write_warehouse(tmp_path / "wh"))
    compute_all(con, VERSION, load_parameters(write_parameters(tmp_path / "p.toml")))
    pci = con.execute("SELECT * FROM ind_pci ORDER BY period, province").df().set_index(["period", "province"])
    at_q2, sv_q1, at_q1 = pci.loc[("2022-Q2", "LA-AT")], pci.loc[("2022-Q1", "LA-SV")], pci.loc[("2022-Q1", "LA-AT")]
    # AT Q2 scores 0.70 >= 0.60 but referral completion 0 is under its minimum 0.40.
    assert bool(at_q2["flagged"]) and "referral completion 0.00 below the minimum 0.40" in at_q2["reasons"]
    # SV Q1: three components without data are said to be missing, not scored 0; the commission did not meet.
    assert sv_q1["components_missing"] == 3 and sv_q1["condition_met"] == 0
    for words in (
        "no data for reporting timeliness",
        "no data for referral completion",
        "no data for on-time payment",
        "commission did not meet as planned",
    ):
        assert words in sv_q1["reasons"]
    assert pd_isna(sv_q1["reporting_timeliness"])
    # AT Q1 (0.73, every component at or above its minimum) is not flagged.
    assert not bool(at_q1["flagged"]) and at_q1["reasons"] == ""


def test_pci_no_score_mode_withholds_incomplete_scores(tmp_path):
    root = write_warehouse(tmp_path / "wh")
    params = load_parameters(write_parameters(tmp_path / "p.toml", missing_component='"no_score"'))
    tidy = compute_all(open_version(VERSION, root), VERSION, params)
    pci = tidy[(tidy["indicator_id"] == "PCI") & (tidy["breakdown"] == "_T")].set_index(["period", "province"])
    assert pd_isna(pci.loc[("2022-Q1", "LA-SV"), "value"])  # 3 components missing: no score
    assert pci.loc[("2022-Q2", "LA-AT"), "value"] == pytest.approx(0.3 + 0.3 * 26 / 33 + 0.2 * 0.8)


def pd_isna(value) -> bool:
    return value is None or value != value


def _compute(tmp_path, tables=None, **parameters):
    root = write_warehouse(tmp_path / "wh", tables)
    params = load_parameters(write_parameters(tmp_path / "p.toml", **parameters))
    return compute_all(open_version(VERSION, root), VERSION, params)


def test_a_province_without_social_assistance_recipients_is_zero_not_missing(tmp_path):
    # The MAF transfer reaches only Attapeu here; Savannakhet men get no grant either (b7 never paid). Their
    # coverage is 0 of the poor (1000 x 0.1 = 100), a value, so the national figure is the sum of the provinces.
    tables = dict(TABLES, cash_transfer=[r for r in TABLES["cash_transfer"] if r["province"] == "LA-AT"])
    tidy = _compute(tmp_path, tables)
    poor = tidy[
        (tidy["indicator_id"] == "SI_COV_POOR")
        & (tidy["period"] == "2022-Q2")
        & tidy["district"].isna()
        & (tidy["breakdown"] == "_T")
    ].set_index(["province", "sex"])
    assert tuple(poor.loc[("LA-SV", "M"), ["numerator", "denominator", "value"]]) == (0, 100, 0)
    provinces = poor.loc[[("LA-AT", "_T"), ("LA-SV", "_T")]]
    assert poor.loc[("LA", "_T"), "numerator"] == provinces["numerator"].sum()
    assert poor.loc[("LA", "_T"), "denominator"] == pytest.approx(provinces["denominator"].sum())


def test_pci_counts_a_missing_component_as_zero_not_as_perfect(tmp_path):
    # Attapeu sends no referrals for Q2 (f7 removed). Reweighting would lift it to (0.3 + 0.3 x 26/33 + 0.2 x 0.8)
    # / 0.8 = 0.870 - above its 0.696 with a referral return whose rate is 0. By default the missing component
    # scores 0 (work not reported counts as not done) and is named.
    tables = dict(TABLES, referrals=[r for r in TABLES["referrals"] if r["referral_key"] != "f7"])
    expected_zero = 0.3 * 1 + 0.3 * 26 / 33 + 0.2 * 0.8
    con = open_version(VERSION, write_warehouse(tmp_path / "wh", tables))
    compute_all(con, VERSION, load_parameters(write_parameters(tmp_path / "p.toml")))
    at_q2 = con.execute("SELECT * FROM ind_pci WHERE period = '2022-Q2' AND province = 'LA-AT'").df().iloc[0]
    assert at_q2["score"] == pytest.approx(expected_zero)
    assert "no data for referral completion (counted as 0)" in at_q2["reasons"]
    assert at_q2["components_missing"] == 1 and pd_isna(at_q2["referral_completion"])
    reweighted = _compute(tmp_path / "reweight", tables, missing_component='"reweight"')
    pci_r = reweighted[(reweighted["indicator_id"] == "PCI") & (reweighted["breakdown"] == "_T")]
    assert pci_r.set_index(["period", "province"]).loc[("2022-Q2", "LA-AT"), "value"] == pytest.approx(
        expected_zero / 0.8
    )


def test_pci_is_not_computed_for_quarters_before_the_commission_existed(tmp_path):
    tidy = _compute(tmp_path, commission_established="2022-04-01")
    assert set(tidy.loc[tidy["indicator_id"] == "PCI", "period"]) == {"2022-Q2"}  # Q1 ended before 1 April
    assert set(tidy.loc[tidy["indicator_id"] == "PAY_ONTIME", "period"]) >= {"2022-Q1", "2022-Q2"}


def test_no_value_or_baseline_before_the_first_payment_fell_due(tmp_path):
    # b1 enrolled in December 2021, before any payment fell due (first due date 1 Feb 2022). "Never paid" in
    # 2021-Q4 would be 1/1 = 100%, a baseline from before the programme paid anyone that makes any later figure
    # look like progress. Those quarters have no value; the baseline is the first quarter with a payment due.
    register = [
        dict(r, enrolment_date=D("2021-12-01")) if r["beneficiary_key"] == "b1" else r for r in TABLES["mecg_register"]
    ]
    tidy = _compute(tmp_path, dict(TABLES, mecg_register=register))
    for indicator_id in ("PAY_NEVER_PAID", "PAY_ARREARS_LAK"):
        rows = tidy[tidy["indicator_id"] == indicator_id]
        assert set(rows["period"]) == {"2022-Q1", "2022-Q2"}, indicator_id
    headline = tidy[
        (tidy["indicator_id"] == "PAY_NEVER_PAID")
        & (tidy["province"] == "LA")
        & (tidy["sex"] == "_T")
        & tidy["district"].isna()
        & (tidy["breakdown"] == "_T")
    ].set_index("period")
    assert headline.loc["2022-Q2", "status_base_period"] == "2022-Q1"
    # Enrolment itself started in 2021-Q4: the programme-enrolment indicator does have that quarter.
    assert "2021-Q4" in set(tidy.loc[tidy["indicator_id"] == "NSPS_SW_MECG", "period"])


def test_each_source_is_judged_on_its_own_as_of_date_and_pending_cases_are_shown_as_pending(tmp_path):
    # p11 (b6, due 06-20, unpaid): the ledger is as of 06-30 (last payment), so its 15 days' grace (to 07-05) have
    # not run out: pending. p12 (b5, due 06-25, paid 06-26) is in the same unjudged batch: pending too, so a fresh
    # batch does not count only its quickest payments. g5 (received 04-20, open): the grievance log is as of
    # 05-05, inside its 30 days: pending. Judged against the latest date anywhere (the returns log's 08-01) p11
    # and g5 would have been failures.
    payments = TABLES["mecg_payments"] + [
        dict(
            payment_key="p11",
            beneficiary_key="b6",
            cycle=2,
            due_date=D("2022-06-20"),
            paid_date=None,
            amount_due=300_000.0,
            amount_paid=None,
            channel="wallet",
            status="pending",
        ),
        dict(
            payment_key="p12",
            beneficiary_key="b5",
            cycle=2,
            due_date=D("2022-06-25"),
            paid_date=D("2022-06-26"),
            amount_due=300_000.0,
            amount_paid=300_000.0,
            channel="wallet",
            status="paid",
        ),
    ]
    grievances = TABLES["grievances"] + [
        dict(
            grievance_key="g5",
            programme="mecg",
            province="LA-SV",
            district="1306",
            sex="F",
            category="payment",
            received_date=D("2022-04-20"),
            resolved_date=None,
        )
    ]
    tidy = _compute(tmp_path, dict(TABLES, mecg_payments=payments, grievances=grievances))
    national = tidy[
        (tidy["province"] == "LA") & (tidy["sex"] == "_T") & tidy["district"].isna() & (tidy["breakdown"] == "_T")
    ].set_index(["indicator_id", "period"])
    ontime = national.loc[("PAY_ONTIME", "2022-Q2")]
    assert (ontime["numerator"], ontime["denominator"], ontime["pending"]) == (2, 5, 2)  # still 2 of 5
    delay = national.loc[("PAY_DELAY_MEDIAN", "2022-Q2")]  # p11, p12 not judged yet: 0, 4, 29, 60, 90
    assert (delay["numerator"], delay["value"]) == (5, 29.0)
    grievance = national.loc[("COORD_GRIEVANCE_TIMELY", "2022-Q2")]
    assert (grievance["numerator"], grievance["denominator"], grievance["pending"]) == (1, 1, 1)
    assert str(ontime["as_of_date"])[:10] == "2022-06-30"
    assert str(grievance["as_of_date"])[:10] == "2022-05-05"
    assert str(national.loc[("COORD_REPORT_TIMELY", "2022-Q2"), "as_of_date"])[:10] == "2022-08-01"
    sv = tidy[
        (tidy["indicator_id"] == "PAY_ONTIME")
        & (tidy["period"] == "2022-Q2")
        & (tidy["province"] == "LA-SV")
        & (tidy["sex"] == "_T")
        & tidy["district"].isna()
        & (tidy["breakdown"] == "_T")
    ].iloc[0]
    assert sv["pending"] == 2 and sv["denominator"] == 2  # p7 on time, p8 late; p11, p12 pending


def test_each_source_declares_its_as_of_rule():
    from data_pipeline.contracts import all_contracts

    contracts = all_contracts()
    # Declared where the source is declared: the end of the period covered, or the last date the source holds.
    assert contracts["mecg_payments"].as_of == ("paid_date",)
    assert contracts["grievances"].as_of == ("received_date", "resolved_date")
    assert contracts["cash_transfer"].as_of == "period_end"
    assert contracts["hi_membership_link"].as_of_sql() is None  # a snapshot without dates


@pytest.mark.parametrize(
    "observations, q, expected",
    [
        ([(5, True), (10, True), (20, True)], 0.5, 10.0),  # all paid: the ordinary median
        (
            [(5, True), (15, False), (15, False), (80, True)],
            0.5,
            80.0,
        ),  # 1/4 by 5 days; of the 1 left at risk at 80: all
        ([(0, True), (15, False), (15, False), (15, False)], 0.5, 15.0),  # 1 in 4 paid: at least 15 days (lower bound)
        ([], 0.5, None),
    ],
)
def test_survival_quantile_counts_unpaid_payments_for_what_is_known_of_them(observations, q, expected):
    from indicators.sql_helpers import survival_quantile

    got = survival_quantile([{"t": t, "paid": paid} for t, paid in observations], q)
    assert got == expected


def test_children_leave_the_grant_enrolment_count_at_their_first_birthday(tmp_path):
    # b3 (child, AT 1703 M, enrolled 02-01) was born in March 2021: at 2022-03-31 he is one year old and out of
    # the grant, so the Q1 enrolment rate is 4 of 280 (was 5, ever enrolled). b2 born June 2021 is still in at
    # Q1's end but out at Q2's (turns one in June 2022): Q2 6 of 280 (was 8). Never paid keeps ever-enrolled.
    register = [
        dict(r, birth_date=D("2021-03-01"))
        if r["beneficiary_key"] == "b3"
        else dict(r, birth_date=D("2021-06-01"))
        if r["beneficiary_key"] == "b2"
        else r
        for r in TABLES["mecg_register"]
    ]
    tidy = _compute(tmp_path, dict(TABLES, mecg_register=register))
    national = tidy[
        (tidy["province"] == "LA") & (tidy["sex"] == "_T") & tidy["district"].isna() & (tidy["breakdown"] == "_T")
    ].set_index(["indicator_id", "period"])
    assert tuple(national.loc[("NSPS_SW_MECG", "2022-Q1"), ["numerator", "denominator"]]) == (4, 280)
    assert tuple(national.loc[("NSPS_SW_MECG", "2022-Q2"), ["numerator", "denominator"]]) == (6, 280)
    assert national.loc[("PAY_NEVER_PAID", "2022-Q2"), "denominator"] == 8
