-- +goose Up

-- The unit directory (danh mục cơ quan, đơn vị, địa phương): every unit
-- that submits dossiers, with its kind and emulation block (khối thi đua).
-- A dossier's unit must be here (app.Submit). Data, edited by the admin
-- through the API; seeded below with Lai Châu after the reorganisation of
-- 1/7/2025 (departments after the merger of departments, mass
-- organisations, wards and communes; no districts).
CREATE TABLE units (
    code       text PRIMARY KEY,
    name       text NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('so_ban_nganh', 'doan_the', 'xa', 'phuong', 'dac_khu', 'doanh_nghiep')),
    block      text NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX units_block_idx ON units (block, code);

INSERT INTO units (code, name, kind, block) VALUES
 -- Khối Văn hóa - Xã hội
 ('SGDDT',    'Sở Giáo dục và Đào tạo',                  'so_ban_nganh', 'Khối Văn hóa - Xã hội'),
 ('SYT',      'Sở Y tế',                                 'so_ban_nganh', 'Khối Văn hóa - Xã hội'),
 ('SVHTTDL',  'Sở Văn hóa, Thể thao và Du lịch',         'so_ban_nganh', 'Khối Văn hóa - Xã hội'),
 ('SDTTG',    'Sở Dân tộc và Tôn giáo',                  'so_ban_nganh', 'Khối Văn hóa - Xã hội'),
 -- Khối Kinh tế - Kỹ thuật
 ('STC',      'Sở Tài chính',                            'so_ban_nganh', 'Khối Kinh tế - Kỹ thuật'),
 ('SXD',      'Sở Xây dựng',                             'so_ban_nganh', 'Khối Kinh tế - Kỹ thuật'),
 ('SNNMT',    'Sở Nông nghiệp và Môi trường',            'so_ban_nganh', 'Khối Kinh tế - Kỹ thuật'),
 ('SKHCN',    'Sở Khoa học và Công nghệ',                'so_ban_nganh', 'Khối Kinh tế - Kỹ thuật'),
 ('SCT',      'Sở Công Thương',                          'so_ban_nganh', 'Khối Kinh tế - Kỹ thuật'),
 -- Khối Nội chính - Tổng hợp
 ('SNV',      'Sở Nội vụ',                               'so_ban_nganh', 'Khối Nội chính - Tổng hợp'),
 ('STP',      'Sở Tư pháp',                              'so_ban_nganh', 'Khối Nội chính - Tổng hợp'),
 ('TTT',      'Thanh tra tỉnh',                          'so_ban_nganh', 'Khối Nội chính - Tổng hợp'),
 ('VPUBND',   'Văn phòng UBND tỉnh',                     'so_ban_nganh', 'Khối Nội chính - Tổng hợp'),
 ('CAT',      'Công an tỉnh',                            'so_ban_nganh', 'Khối Nội chính - Tổng hợp'),
 ('BCHQS',    'Bộ Chỉ huy Quân sự tỉnh',                 'so_ban_nganh', 'Khối Nội chính - Tổng hợp'),
 -- Khối Mặt trận, đoàn thể
 ('MTTQ',     'Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh',   'doan_the', 'Khối Mặt trận, đoàn thể'),
 ('LDLD',     'Liên đoàn Lao động tỉnh',                 'doan_the', 'Khối Mặt trận, đoàn thể'),
 ('TINHDOAN', 'Tỉnh đoàn',                               'doan_the', 'Khối Mặt trận, đoàn thể'),
 ('HLHPN',    'Hội Liên hiệp Phụ nữ tỉnh',               'doan_the', 'Khối Mặt trận, đoàn thể'),
 ('HND',      'Hội Nông dân tỉnh',                       'doan_the', 'Khối Mặt trận, đoàn thể'),
 ('HCCB',     'Hội Cựu chiến binh tỉnh',                 'doan_the', 'Khối Mặt trận, đoàn thể'),
 -- Cụm thi đua các phường, xã (former Lai Châu city, Tam Đường, Phong Thổ)
 ('P-TANPHONG',  'Phường Tân Phong',                     'phuong', 'Cụm thi đua số 1 (phường, xã)'),
 ('P-DOANKET',   'Phường Đoàn Kết',                      'phuong', 'Cụm thi đua số 1 (phường, xã)'),
 ('X-BINHLU',    'Xã Bình Lư',                           'xa',     'Cụm thi đua số 1 (phường, xã)'),
 ('X-TALENG',    'Xã Tả Lèng',                           'xa',     'Cụm thi đua số 1 (phường, xã)'),
 ('X-KHUNHA',    'Xã Khun Há',                           'xa',     'Cụm thi đua số 1 (phường, xã)'),
 ('X-PHONGTHO',  'Xã Phong Thổ',                         'xa',     'Cụm thi đua số 1 (phường, xã)'),
 ('X-DAOSAN',    'Xã Dào San',                           'xa',     'Cụm thi đua số 1 (phường, xã)'),
 ('X-SILOLAU',   'Xã Sì Lở Lầu',                         'xa',     'Cụm thi đua số 1 (phường, xã)'),
 -- Cụm thi đua các xã (former Sìn Hồ, Nậm Nhùn, Mường Tè)
 ('X-SINHO',     'Xã Sìn Hồ',                            'xa',     'Cụm thi đua số 2 (xã)'),
 ('X-HONGTHU',   'Xã Hồng Thu',                          'xa',     'Cụm thi đua số 2 (xã)'),
 ('X-NAMTAM',    'Xã Nậm Tăm',                           'xa',     'Cụm thi đua số 2 (xã)'),
 ('X-LELOI',     'Xã Lê Lợi',                            'xa',     'Cụm thi đua số 2 (xã)'),
 ('X-NAMHANG',   'Xã Nậm Hàng',                          'xa',     'Cụm thi đua số 2 (xã)'),
 ('X-MUONGTE',   'Xã Mường Tè',                          'xa',     'Cụm thi đua số 2 (xã)'),
 ('X-BUMNUA',    'Xã Bum Nưa',                           'xa',     'Cụm thi đua số 2 (xã)'),
 ('X-BUMTO',     'Xã Bum Tở',                            'xa',     'Cụm thi đua số 2 (xã)'),
 ('X-MUCA',      'Xã Mù Cả',                             'xa',     'Cụm thi đua số 2 (xã)'),
 ('X-THULUM',    'Xã Thu Lũm',                           'xa',     'Cụm thi đua số 2 (xã)'),
 -- Cụm thi đua các xã (former Than Uyên, Tân Uyên)
 ('X-THANUYEN',  'Xã Than Uyên',                         'xa',     'Cụm thi đua số 3 (xã)'),
 ('X-MUONGTHAN', 'Xã Mường Than',                        'xa',     'Cụm thi đua số 3 (xã)'),
 ('X-MUONGKIM',  'Xã Mường Kim',                         'xa',     'Cụm thi đua số 3 (xã)'),
 ('X-KHOENON',   'Xã Khoen On',                          'xa',     'Cụm thi đua số 3 (xã)'),
 ('X-TANUYEN',   'Xã Tân Uyên',                          'xa',     'Cụm thi đua số 3 (xã)'),
 ('X-MUONGKHOA', 'Xã Mường Khoa',                        'xa',     'Cụm thi đua số 3 (xã)'),
 ('X-PACTA',     'Xã Pắc Ta',                            'xa',     'Cụm thi đua số 3 (xã)'),
 -- Khối doanh nghiệp
 ('DN-DIENLUC',  'Công ty Điện lực Lai Châu',            'doanh_nghiep', 'Khối doanh nghiệp'),
 ('DN-CAPNUOC',  'Công ty Cổ phần Cấp nước Lai Châu',    'doanh_nghiep', 'Khối doanh nghiệp');

-- The award registry (sổ khen thưởng): every award granted, by this engine
-- (source 'engine', one row per awarded dossier, written in the transaction
-- that projects the dossier into stage awarded) or recorded by the office
-- (source 'import' from a spreadsheet, 'manual' one at a time): past awards
-- and the lower titles heads of units decide.
CREATE TABLE award_registry (
    id              bigserial PRIMARY KEY,
    nominee_type    text NOT NULL CHECK (nominee_type IN ('individual', 'collective')),
    -- nominee_key is domain.PersonKey or domain.CollectiveKey.
    nominee_key     text NOT NULL,
    name            text NOT NULL,
    -- search is Fold(name): lower case, no diacritics.
    search          text NOT NULL,
    birth_date      date,
    citizen_id      text NOT NULL DEFAULT '',
    unit            text NOT NULL,
    award_code      text NOT NULL,
    year            integer NOT NULL,
    period          text NOT NULL DEFAULT '',
    kind            text NOT NULL,
    decision_number text NOT NULL,
    decision_date   date,
    authority       text NOT NULL,
    source          text NOT NULL CHECK (source IN ('engine', 'import', 'manual')),
    dossier_id      text UNIQUE,
    recorded_by     text NOT NULL DEFAULT '',
    recorded_at     timestamptz NOT NULL DEFAULT now()
);
-- The same nominee, award, year and decision is recorded once: a repeated
-- import, or an engine grant also imported, is a duplicate.
CREATE UNIQUE INDEX award_registry_once ON award_registry (nominee_key, award_code, year, decision_number);
-- Lists are newest year first, then newest entry (keyset paging).
CREATE INDEX award_registry_list_idx ON award_registry (year DESC, id DESC);
CREATE INDEX award_registry_unit_idx ON award_registry (unit, year DESC, id DESC);
CREATE INDEX award_registry_award_idx ON award_registry (award_code, year DESC, id DESC);
CREATE INDEX award_registry_search_idx ON award_registry USING gin (search gin_trgm_ops);

-- +goose Down
DROP TABLE award_registry;
DROP TABLE units;
