"""Hand-written Korean carrier sentences ({x} = where a value goes) and hard-negative values.

TUNED carriers are the ones the rules were checked against; HELDOUT carriers (different wording
and domains) and a different seed make the second split of the evaluation set.
"""

from __future__ import annotations

import random

# news, reviews, forms, chat, petitions, logs
TUNED = [
    # news
    "경찰은 피의자 A씨의 {x} 통해 신원을 확인했다고 밝혔다.",
    "[단독] 유출된 자료에는 고객 {x} 포함된 것으로 드러났다.",
    "검찰은 압수한 휴대전화에서 {x} 찾아냈다고 전했다.",
    "해당 업체는 피해자에게 {x} 안내한 뒤 연락을 끊은 것으로 알려졌다.",
    "기자가 확인한 결과 {x} 실제 사용 중인 것으로 확인됐다.",
    "시민 제보에 따르면 용의자는 {x} 남기고 사라졌다.",
    "공공기관 홈페이지 게시판에 {x} 그대로 노출되는 사고가 발생했다.",
    "개인정보보호위원회는 {x} 공개한 사업자에게 과징금을 부과했다.",
    "재판부는 범행에 쓰인 {x} 증거로 채택했다.",
    "이번 사건에서 범인은 {x} 이용해 피해자를 속였다.",
    # reviews
    "판매자분이 {x} 알려주셔서 바로 해결했어요 ㅎㅎ",
    "배송은 빨랐는데 포장지에 {x} 그대로 적혀 있어서 좀 당황했네요.",
    "사장님 친절하시고 {x} 남겨두면 예약 잡아주십니다!",
    "별점 다섯 개 드려요. 문의는 {x} 하시면 됩니다.",
    "환불 요청했더니 {x} 다시 보내라고 하네요... 비추",
    "리뷰 이벤트 당첨되신 분은 {x} 확인 부탁드려요~",
    "가게 위치는 {x} 근처라 찾기 쉬워요.",
    "AS 받으려면 {x} 적어서 보내야 한다고 합니다.",
    "처음엔 몰랐는데 영수증에 {x} 찍혀 나오더라구요.",
    "이 집 단골인데 {x} 기억하고 계셔서 놀랐어요.",
    # forms
    "신청인 성명: 홍길동 / {x} 기재함",
    "아래 항목을 입력하세요. {x} 필수 입력 사항입니다.",
    "[회원가입] {x} 등록이 완료되었습니다.",
    "본인 확인을 위해 {x} 정확히 입력해 주십시오.",
    "※ 제출 서류: 신분증 사본, {x} 기재된 신청서",
    "변경 전 정보 {x} 변경 후 정보로 갱신되었습니다.",
    "수령인 정보 - {x} 확인 후 발송 예정",
    "보호자 동의서에 {x} 적고 서명해 주세요.",
    "지원서 3번 항목에 {x} 써 주시기 바랍니다.",
    "계약자 정보란: {x} (수정 불가)",
    # chat
    "ㅇㅇ 내 {x} 저장해둬",
    "야 {x} 맞지? 답장 좀ㅋㅋ",
    "아까 말한 거 {x} 보내놨어",
    "헐 {x} 어디서 봤어??",
    "엄마 {x} 다시 알려줘",
    "내일 만나면 {x} 줄게~",
    "카톡 안 되면 {x} 연락해",
    "{x} 이거 맞는지 확인 좀 해줄래?",
    "방금 {x} 바꿨어 ㅠㅠ",
    "그거 {x} 보면 나와 ㅋㅋㅋ",
    # petitions
    "청원인은 {x} 유출된 피해자로서 철저한 조사를 요구합니다.",
    "저희 어머니께서 {x} 도용당해 큰 피해를 입으셨습니다.",
    "관계 당국은 {x} 무단으로 수집한 업체를 처벌해 주십시오.",
    "저는 {x} 사용하는 평범한 시민입니다.",
    "공무원이 민원인의 {x} 유출한 사건을 바로잡아 주십시오.",
    "제 {x} 허락 없이 광고에 사용되었습니다.",
    "피해자 가족은 {x} 남기며 도움을 호소했습니다.",
    "국민 여러분, {x} 공개하는 관행을 멈춰야 합니다.",
    "답변을 원하시면 {x} 회신 부탁드립니다.",
    "이 청원은 {x} 관련 제도 개선을 요청합니다.",
    # logs
    "2024-03-02 13:45:10 INFO user login {x} ok",
    "[WARN] 비정상 접근 감지: {x} 차단됨",
    "ERROR 42 - invalid field {x} at line 17",
    "[2023/11/07 09:12:33] 요청 처리 완료 ({x})",
    "DEBUG session=af31 value={x} elapsed=35ms",
    "audit: 관리자 계정이 {x} 조회함",
    "- 2024.01.15 | 변경 | {x} |",
    "job#7781 failed: {x} 응답 없음",
    "[알림] {x} 인증 요청이 3회 실패했습니다.",
    "trace: src={x} dst=gateway status=200",
    # mixed
    "{x}",
    "문의: {x}",
    "담당자 김철수 과장 ({x})",
]

HELDOUT = [
    "지난달 보도된 사건의 가해자는 {x} 사용해 범행을 저질렀다.",
    "주최 측은 참가자 명단과 {x} 외부에 공개해 논란이 일었다.",
    "택배 기사님이 {x} 보고 연락주셨어요. 감사합니다~",
    "가성비 좋아요. 다만 설명서에 {x} 나와 있어서 좀 그렇네요.",
    "[입력 양식] 보호자 {x} 작성란",
    "서류 미비 시 {x} 보완 요청 드립니다.",
    "ㅋㅋ {x} 이거 진짜임?",
    "형 {x} 나중에 다시 알려줘요",
    "저희 아버지의 {x} 해킹당했습니다. 수사를 요청합니다.",
    "시민의 {x} 보호하는 법을 제정해 주십시오.",
    "INFO 2024-05-01T10:00:00Z request from {x} accepted",
    "[보안경고] {x} 에서 로그인 시도",
    "동호회 공지: 회비 문의는 {x} 부탁드려요.",
    "중고거래 하실 분 {x} 연락 주세요~",
    "병원 접수 시 {x} 필요하다고 하네요.",
    "이사 오면서 {x} 변경 신고를 했습니다.",
    "면접 안내: 지원자께서는 {x} 지참해 주세요.",
    "상담원이 {x} 불러달라고 해서 알려드렸어요.",
    "동창회 연락망 - 홍길동 {x} (3반)",
    "관리사무소 공지 {x} 확인 바랍니다.",
    "블로그 이웃분들 {x} 참고하세요!",
    "레거시 시스템 로그: uid=33 {x} rc=0",
    "경품 배송을 위해 {x} 남겨주세요.",
    "분실물 습득하신 분은 {x} 연락 부탁드립니다.",
    "제보는 {x} 보내주시기 바랍니다.",
]

PARTICLES = [
    "으로",
    "로",
    "입니다",
    "이에요",
    "에게",
    "님",
    "까지",
    "을",
    "를",
    "이",
    "가",
    "은",
    "는",
    "에서",
    "이고",
    "라고",
    "도",
    "만",
    "요",
    "와",
    "과",
    "부터",
    "이랑",
    "으로요",
    "이며",
]
# What follows a value when no particle is attached
NO_PARTICLE = [" ", " ", ", ", ". ", " / ", ") "]

NEGATIVE_CARRIERS = [
    "{x} 기준으로 작성된 자료입니다.",
    "오늘 확인해 보니 {x} 이더라고요.",
    "해당 항목: {x}",
    "기사 입력 {x} 수정",
    "로그: {x} 처리됨",
    "리뷰 보니까 {x} 라고 써 있네요",
    "참고로 {x} 입니다.",
    "[공지] {x} 관련 안내",
    "{x}",
    "야 그거 {x} 맞아?",
]


def _d(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _ean13(rng: random.Random, prefix: str) -> str:
    body = prefix + _d(rng, 12 - len(prefix))
    total = sum(int(x) * (3 if i % 2 else 1) for i, x in enumerate(body))
    return body + str((10 - total % 10) % 10)


def _isbn13(rng: random.Random) -> str:
    body = rng.choice(["97889", "97911"]) + _d(rng, 7)
    total = sum(int(x) * (3 if i % 2 else 1) for i, x in enumerate(body))
    full = body + str((10 - total % 10) % 10)
    return rng.choice([full, f"{full[:3]}-{full[3:5]}-{full[5:10]}-{full[10:12]}-{full[12]}"])


def _isbn10(rng: random.Random) -> str:
    body = "89" + _d(rng, 7)
    check = sum((10 - i) * int(x) for i, x in enumerate(body)) % 11
    digit = "X" if (11 - check) % 11 == 10 else str((11 - check) % 11)
    return body + digit


def hard_negative(rng: random.Random) -> tuple[str, str]:
    """(kind, text) of one value that must stay untouched."""
    y, m, d = rng.randint(1990, 2025), rng.randint(1, 12), rng.randint(1, 28)
    kind = rng.choice(
        [
            "date",
            "date",
            "time",
            "price",
            "isbn13",
            "isbn10",
            "ean13",
            "order",
            "tracking",
            "version",
            "coordinates",
            "score",
            "product_code",
            "year",
            "percent",
            "date6",
            "datetime",
            "count",
            "phone_like_code",
            "decimal",
            "range",
            "serial",
        ]
    )
    text = {
        "date": rng.choice(
            [
                f"{y}.{m:02d}.{d:02d}",
                f"{y}-{m:02d}-{d:02d}",
                f"{y}/{m}/{d}",
                f"{y}년 {m}월 {d}일",
                f"{y}. {m}. {d}.",
            ]
        ),
        "time": rng.choice(
            [
                f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
                f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}",
                f"오후 {rng.randint(1, 12)}시 {rng.randint(0, 59)}분",
            ]
        ),
        "price": rng.choice(
            [
                f"{rng.randint(1, 9999):,}원",
                f"{rng.randint(1000, 9_999_999):,}원",
                f"₩{rng.randint(1000, 99_999_999):,}",
                f"{rng.randint(1, 999)}만 원",
                f"{rng.randint(1_000_000, 999_999_999):,}원",
            ]
        ),
        "isbn13": "ISBN " + _isbn13(rng) if rng.random() < 0.5 else _isbn13(rng),
        "isbn10": "ISBN " + _isbn10(rng),
        "ean13": _ean13(rng, "880"),
        "order": rng.choice(
            [
                f"주문번호 {y}{m:02d}{d:02d}{_d(rng, 8)}",
                f"ORD-{y}{m:02d}{d:02d}-{_d(rng, 4)}",
                f"주문번호: {y}{m:02d}{d:02d}-{_d(rng, 7)}",
                f"B{y}-{m:02d}{d:02d}-{_d(rng, 4)}",
            ]
        ),
        "tracking": rng.choice(
            [
                f"운송장번호 {_d(rng, 12)}",
                f"송장 {_d(rng, 4)}-{_d(rng, 4)}-{_d(rng, 4)}",
                f"운송장 {_d(rng, 13)}",
                f"택배 송장번호 {_d(rng, 10)}",
            ]
        ),
        "version": rng.choice(
            [
                f"v{rng.randint(0, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 99)}",
                f"{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}",
                f"버전 {rng.randint(1, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 99)}",
                f"ver.{rng.randint(1, 9)}.{rng.randint(0, 9)}",
            ]
        ),
        "coordinates": f"{rng.uniform(33, 38):.4f}, {rng.uniform(124, 131):.4f}",
        "score": rng.choice(
            [
                f"{rng.randint(0, 9)}:{rng.randint(0, 9)}",
                f"{rng.randint(0, 9)} 대 {rng.randint(0, 9)}",
                f"{rng.randint(1, 10)}/10",
                f"{rng.randint(0, 100)}점",
            ]
        ),
        "product_code": rng.choice(
            [
                f"SM-G{rng.randint(900, 999)}N",
                f"모델명 {rng.choice('ABKX')}{_d(rng, 4)}-{_d(rng, 4)}",
                f"상품코드 {_d(rng, 8)}",
                f"P/N {_d(rng, 4)}-{_d(rng, 4)}-{_d(rng, 2)}",
            ]
        ),
        "year": rng.choice([f"{y}년", str(y), f"{y}~{y + rng.randint(1, 5)}년", f"{y}-{y + rng.randint(1, 5)}년"]),
        "percent": rng.choice(
            [f"{rng.uniform(0, 100):.1f}%", f"{rng.randint(1, 100)}%", f"{rng.randint(1, 99)}퍼센트"]
        ),
        "date6": f"{y % 100:02d}{m:02d}{d:02d}",
        "datetime": f"{y}-{m:02d}-{d:02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}",
        "count": rng.choice(
            [
                f"{rng.randint(2, 999)}명",
                f"{rng.randint(1, 99)}개",
                f"{rng.randint(1, 30)}회차",
                f"{rng.randint(1, 12)}층 {rng.randint(1, 20)}번 창구",
            ]
        ),
        "phone_like_code": rng.choice(
            [
                f"{rng.randint(1, 9)}{_d(rng, 3)}-{_d(rng, 4)}-{_d(rng, 4)}",
                f"A{_d(rng, 2)}-{_d(rng, 4)}-{_d(rng, 4)}",
                f"1588-{_d(rng, 4)}",
                f"{rng.choice(['1577', '1644', '1800'])} {_d(rng, 4)}",  # phone_rep is opt-in
                f"1{_d(rng, 2)}-{_d(rng, 3)}-{_d(rng, 3)}",
            ]
        ),
        "decimal": rng.choice([f"{rng.uniform(0, 1000):.3f}", f"{rng.randint(1, 9)}.{_d(rng, 2)}.{_d(rng, 2)}"]),
        "range": f"{rng.randint(1, 100)}-{rng.randint(101, 999)}",
        "serial": f"S/N {rng.choice('ABCDEFGHM')}{_d(rng, 9)}",
    }[kind]
    return kind, text


# Opt-in `person` type: what follows a name in text (the name alone is the value)
PERSON_CONTEXTS = [
    " 씨",
    "씨",
    " 기자",
    " 교수",
    " 의원",
    " 대표",
    " 변호사",
    " 선수",
    " 감독",
    " 회장",
    " 사장",
    " 원장",
    " 작가",
    " 선생님",
    "(35)",
    "(42·회사원)",
    "(28, 여)",
    " 부장",
    " 팀장",
]
# after the context word, when a particle is attached
PERSON_PARTICLES = ["가", "는", "의", "에게", "와", "이", "은", "을", "께서", "도"]
# title words with no name before them: must stay untouched when `person` is on
PERSON_NEGATIVES = [
    "한국 기자들은 현장에 남아 있었다.",
    "이번 대표는 누가 될지 관심이 모인다.",
    "전통 시장에서 장을 봤어요.",
    "오후에 기자회견을 열었다.",
    "하나님에게 감사드립니다.",
    "신임 사장이 취임했다.",
    "여러 선수들이 부상을 당했다.",
    "정밀 검사가 필요하다는 소견입니다.",
    "대표팀 감독은 아직 미정이다.",
    "손글씨가 예쁘네요.",
    "전직 의원 세 명이 기소됐다.",
    "오늘이 대통령 취임식이다.",
    "공동 대표는 두 명이다.",
    "서울대 교수는 이렇게 말했다.",
    "민주당 대표는 회견에서 입장을 밝혔다.",
    "노동 시장 유연화 논의가 이어졌다.",
    "위원회 위원장 선출이 미뤄졌다.",
    "현직 판사가 징계를 받았다.",
    "김씨앗 말고 호박씨앗을 심었어요.",
    "이런 기자가 다 있나 싶다.",
]
