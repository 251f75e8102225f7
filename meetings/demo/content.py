"""The demo's people, agenda and documents: UBND thành phố Vũng Tàu on its digital transformation.

Names are invented; positions and topics are what such a meeting really discusses.
"""

from __future__ import annotations

BODY = {
    "name": "Ủy ban nhân dân thành phố Vũng Tàu",
    "short_name": "UBND",
    "parent_name": "UBND TỈNH BÀ RỊA - VŨNG TÀU",
    "place_name": "Vũng Tàu",
    # The law on local government: a session of the People's Committee needs two thirds of its members.
    "quorum_rule": "two_thirds",
}

MEETING_TITLE = "Phiên họp chuyên đề về chuyển đổi số thành phố Vũng Tàu năm 2026"
# The chair's rule for the debate: each speaker has up to five minutes.
SPEAKING_MINUTES = 5
MEETING_LOCATION = "Phòng họp số 1, trụ sở HĐND - UBND thành phố, 89 Lý Thường Kiệt, phường 1, Vũng Tàu"

SECRETARY = ("thuky", "Trần Thị Thu Hà", "Chuyên viên Văn phòng HĐND và UBND thành phố")
CHAIR = ("chutoa", "Nguyễn Văn Thành", "Chủ tịch UBND thành phố")
ADMIN = ("quantri", "Quản trị hệ thống", "Trung tâm Văn hóa, Thông tin và Thể thao")

DELEGATES = [
    ("Lê Thị Minh Nguyệt", "Phó Chủ tịch UBND thành phố"),
    ("Phạm Quốc Cường", "Chánh Văn phòng HĐND và UBND thành phố"),
    ("Võ Hoàng Nam", "Trưởng phòng Văn hóa và Thông tin"),
    ("Đặng Thị Hồng Nhung", "Trưởng phòng Tài chính - Kế hoạch"),
    ("Huỳnh Tấn Phát", "Trưởng phòng Tài nguyên và Môi trường"),
    ("Bùi Văn Lợi", "Trưởng phòng Kinh tế"),
    ("Ngô Thị Kim Oanh", "Chủ tịch UBND phường 1"),
    ("Trịnh Minh Khoa", "Chủ tịch UBND phường Thắng Tam"),
    ("Hồ Thị Thanh Tâm", "Giám đốc Ban Quản lý chợ Vũng Tàu"),
    ("Dương Văn Hậu", "Trưởng Công an thành phố"),
    ("Lâm Ngọc Diệp", "Trưởng phòng Nội vụ"),
    ("Tạ Quang Vinh", "Chủ tịch UBND phường Rạch Dừa"),
]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Minh", "Quốc", "Thanh", "Ngọc", "Hữu", "Đức", "Thu", "Kim"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hải", "Hạnh", "Khánh", "Linh", "Long", "Mai", "Phúc", "Quân", "Sơn", "Trang", "Yến"]

# One delegate has already sent word that they cannot come (báo vắng): (delegate index, reason).
ABSENCE = (7, "Đi công tác tại Sở Nội vụ tỉnh theo Giấy triệu tập số 215/GTT-SNV")

GUESTS = [
    ("Châu Ngọc Hân", "Phóng viên Báo Bà Rịa - Vũng Tàu"),
    ("Mai Xuân Trường", "Đại diện VNPT Bà Rịa - Vũng Tàu"),
]


def delegate_profile(index: int) -> tuple[str, str]:
    """Name and position of delegate number `index` (0-based); past the named ones, generated."""
    if index < len(DELEGATES):
        return DELEGATES[index]
    n = index - len(DELEGATES)
    name = f"{FAMILY[n % len(FAMILY)]} {MIDDLE[(n // 3) % len(MIDDLE)]} {GIVEN[(n * 7) % len(GIVEN)]}"
    return name, f"Chuyên viên, tổ giúp việc số {n // 10 + 1}"


# (key, title, presenter key or None, minutes, description, children)
AGENDA = [
    (
        "open",
        "Khai mạc, giới thiệu đại biểu",
        "delegate:1",
        5,
        "Chánh Văn phòng tuyên bố lý do, giới thiệu đại biểu và nội dung phiên họp.",
        [],
    ),
    (
        "report",
        "Báo cáo kết quả xây dựng chính quyền số 9 tháng đầu năm 2026",
        "delegate:2",
        20,
        "Kết quả thực hiện Kế hoạch chuyển đổi số; những tồn tại, hạn chế và nhiệm vụ trọng tâm quý IV.",
        [
            ("paperless", "Triển khai hệ thống họp không giấy tại UBND thành phố và các phường", "delegate:1", 10, ""),
            ("egov", "Dịch vụ công trực tuyến toàn trình: tỷ lệ hồ sơ, thời gian giải quyết", "delegate:0", 15, ""),
        ],
    ),
    (
        "market",
        "Đề án chợ 4.0 và thanh toán không dùng tiền mặt tại các chợ truyền thống",
        "delegate:5",
        20,
        "Lộ trình triển khai tại chợ Vũng Tàu, chợ Xóm Lưới và chợ Bến Đình; phối hợp với các ngân hàng thương mại.",
        [],
    ),
    (
        "gis",
        "Xây dựng cơ sở dữ liệu GIS dùng chung của thành phố",
        "delegate:4",
        15,
        "Dữ liệu đất đai, quy hoạch, hạ tầng đô thị trên một nền bản đồ số.",
        [],
    ),
    ("vote", "Thảo luận và biểu quyết thông qua các nội dung", None, 30, "", []),
    ("close", "Kết luận của Chủ tọa", "chair", 10, "", []),
]

# Polls the secretary prepared: (agenda key, question, options or None for agree/disagree, secret, majority)
POLLS = [
    ("vote", "Thông qua Báo cáo kết quả xây dựng chính quyền số 9 tháng đầu năm 2026", None, False, "members"),
    ("vote", "Thông qua Đề án chợ 4.0 và thanh toán không dùng tiền mặt tại các chợ truyền thống", None, False, "members"),
    (
        "vote",
        "Chọn đơn vị thí điểm cơ sở dữ liệu GIS dùng chung (chọn 1)",
        ["Phường Vũng Tàu", "Phường Tam Thắng", "Phường Rạch Dừa"],
        True,
        "cast",
    ),
]

# (file stem, title, agenda key or None, confidential, pages of sections)
DOCUMENTS = [
    ("chuong-trinh-hop", "Chương trình phiên họp", None, False, 1),
    ("to-trinh-hop-khong-giay", "Tờ trình triển khai hệ thống họp không giấy", "paperless", False, 5),
    ("bao-cao-dich-vu-cong", "Báo cáo kết quả cung cấp dịch vụ công trực tuyến", "egov", False, 4),
    ("de-an-cho-4-0", "Đề án chợ 4.0 và thanh toán không dùng tiền mặt", "market", False, 6),
    ("du-thao-ke-hoach-gis", "Dự thảo Kế hoạch xây dựng cơ sở dữ liệu GIS dùng chung", "gis", True, 4),
]

PARAGRAPHS = [
    "Thực hiện Nghị quyết số 52-NQ/TW ngày 27/9/2019 của Bộ Chính trị về một số chủ trương, chính sách chủ động tham gia cuộc Cách mạng công nghiệp lần thứ tư và Chương trình Chuyển đổi số quốc gia, thành phố Vũng Tàu đã ban hành kế hoạch chuyển đổi số giai đoạn 2021 - 2025, định hướng đến năm 2030.",
    "Hệ thống họp không giấy giúp giảm chi phí in ấn tài liệu, rút ngắn thời gian chuẩn bị cuộc họp; đại biểu nhận tài liệu trên máy tính bảng, ghi chú, đăng ký phát biểu và biểu quyết điện tử; biên bản được lập, ký số và lưu trữ ngay sau cuộc họp.",
    "Tỷ lệ hồ sơ thủ tục hành chính được giải quyết trực tuyến toàn trình đạt 78,4%, tăng 21,6% so với cùng kỳ; 100% hồ sơ được số hóa kết quả giải quyết; thời gian trả kết quả trung bình giảm còn 3,2 ngày làm việc.",
    "Tại các chợ truyền thống, 1.245 trên tổng số 1.870 tiểu thương đã mở tài khoản và niêm yết mã QR thanh toán; giá trị giao dịch không dùng tiền mặt bình quân đạt 4,6 tỷ đồng mỗi tháng.",
    "Cơ sở dữ liệu GIS dùng chung tích hợp các lớp dữ liệu đất đai, quy hoạch sử dụng đất, hạ tầng giao thông, cấp thoát nước và chiếu sáng công cộng, phục vụ công tác quản lý nhà nước và cung cấp thông tin cho người dân, doanh nghiệp.",
    "Đề nghị các phòng, ban chuyên môn và UBND các phường phối hợp chặt chẽ, bố trí cán bộ đầu mối, bảo đảm an toàn thông tin theo cấp độ và hoàn thành các chỉ tiêu trước ngày 31/12/2026.",
    "Kinh phí thực hiện từ nguồn ngân sách thành phố đã được bố trí trong dự toán năm 2026 và nguồn xã hội hóa hợp pháp khác; việc quản lý, sử dụng kinh phí thực hiện theo đúng quy định hiện hành.",
    "Những tồn tại, hạn chế: hạ tầng mạng tại một số phường chưa đồng bộ; kỹ năng số của một bộ phận cán bộ, công chức còn hạn chế; dữ liệu chuyên ngành còn phân tán, chưa được chuẩn hóa và chia sẻ.",
]

SECTION_HEADINGS = [
    "I. Căn cứ pháp lý",
    "II. Đánh giá thực trạng",
    "III. Mục tiêu và chỉ tiêu",
    "IV. Nhiệm vụ và giải pháp",
    "V. Kinh phí thực hiện",
    "VI. Tổ chức thực hiện",
]
