"""Demo and synthetic data: realistic (fictional) Changchun graduate posts and graduate profiles.

Every template carries a recruiter's judgement of who fits it (`primary`, `acceptable`, `related`
majors and `key_skills`); bench/data/make_devset.py grades pairs with those judgements, never with
the model's own knowledge files. Employer names are made up in the style of the city's companies.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

LEVELS = ("college", "bachelor", "master", "doctor")


@dataclass(frozen=True)
class JobTemplate:
    sector: str
    titles: tuple[str, ...]
    employer: str  # pattern with {name}
    districts: tuple[str, ...]
    levels: tuple[str, ...]
    salary: tuple[int, int]  # typical monthly pay for a bachelor
    duties: tuple[str, ...]
    requirements: tuple[str, ...]
    key_skills: tuple[str, ...]
    primary: tuple[str, ...]  # majors a recruiter would call a direct fit
    acceptable: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    list_majors: bool = True  # whether the ad names majors at all


_NAMES = ("华锐", "北辰", "鼎盛", "启明", "长融", "博远", "宏图", "恒信", "瑞祥", "新航", "光华", "卓越", "天成",
          "联创", "東方", "吉联", "润泽", "远航", "金诚", "合众", "亿达", "中研", "睿智", "嘉禾")

TEMPLATES: tuple[JobTemplate, ...] = (
    JobTemplate("automotive", ("NVH仿真工程师", "整车NVH性能开发工程师", "振动噪声CAE工程师"), "长春{name}汽车研究院有限公司",
                ("220174",), ("master", "bachelor"), (9000, 15000),
                ("负责整车及系统NVH性能目标设定与仿真分析", "开展模态、声振传递路径分析并提出优化方案", "配合试验部门完成NVH试验与对标"),
                ("熟练使用HyperMesh、Nastran等CAE软件", "具备振动力学、声学基础", "英语四级以上"),
                ("hypermesh", "nvh", "cae"), ("车辆工程", "工程力学", "新能源汽车工程"),
                ("机械设计制造及其自动化", "能源与动力工程", "飞行器设计与工程"), ("机械电子工程", "材料成型及控制工程"), False),
    JobTemplate("automotive", ("底盘结构设计工程师", "车身设计工程师"), "一汽{name}汽车零部件有限公司", ("220174", "220171"),
                ("bachelor", "master"), (7000, 12000),
                ("负责底盘/车身零部件三维结构设计与数据发布", "编制设计任务书并跟踪样件试制", "解决生产现场的设计问题"),
                ("熟练使用CATIA或UG进行三维设计", "了解GD&T公差", "车辆工程、机械设计制造及其自动化等相关专业"),
                ("catia", "ug_nx", "gdt"), ("车辆工程", "机械设计制造及其自动化"), ("机械工程", "新能源汽车工程", "材料成型及控制工程"),
                ("工业设计", "机械电子工程")),
    JobTemplate("automotive", ("焊装工艺工程师", "冲压工艺员", "总装工艺工程师"), "长春{name}汽车制造有限公司", ("220174", "220171"),
                ("bachelor", "college"), (6000, 9000),
                ("负责车间焊装/冲压工艺文件编制", "推进精益生产与现场质量改进", "参与新车型工艺规划"),
                ("材料成型、机械类相关专业", "了解焊接工艺和PFMEA", "能适应倒班"),
                ("welding", "lean"), ("材料成型及控制工程", "机械设计制造及其自动化"), ("车辆工程", "金属材料工程", "机械工程"),
                ("工业工程", "机械电子工程")),
    JobTemplate("automotive", ("汽车电子软件工程师", "新能源三电控制软件工程师"), "长春{name}汽车电子有限公司", ("220173", "220174"),
                ("bachelor", "master"), (8000, 14000),
                ("负责整车控制器/BMS嵌入式软件开发", "完成CAN通讯协议开发与调试", "编写软件测试用例"),
                ("精通C语言，熟悉AUTOSAR架构", "熟练使用CANoe", "电子信息、自动化、车辆工程相关专业"),
                ("cpp", "can_bus", "embedded_c"), ("电子信息工程", "自动化", "车辆工程"), ("计算机科学与技术", "通信工程", "新能源汽车工程", "电气工程及其自动化"),
                ("软件工程", "机械电子工程")),
    JobTemplate("optics", ("光学设计工程师", "光学系统设计师"), "长春{name}光电技术有限公司", ("220173", "220172"),
                ("master", "doctor"), (9000, 16000),
                ("承担空间相机、镜头等光学系统设计", "完成像质评价与公差分析", "参与光学装调与检测"),
                ("熟练使用Zemax或Code V", "具备扎实的几何光学、物理光学基础", "有光机所项目经历者优先"),
                ("optical_design", "optical_test"), ("光电信息科学与工程", "测控技术与仪器"), ("物理学", "应用物理学", "电子科学与技术"),
                ("电子信息工程", "机械设计制造及其自动化"), False),
    JobTemplate("optics", ("激光器研发工程师", "光电检测工程师"), "吉林{name}光电子科技股份有限公司", ("220173",),
                ("bachelor", "master"), (7000, 12000),
                ("负责激光器件的性能测试与工艺改进", "搭建光电检测平台并编写测试程序", "分析测试数据"),
                ("光电信息、物理学、测控等相关专业", "会使用LabVIEW者优先"),
                ("laser", "optical_test", "labview"), ("光电信息科学与工程", "应用物理学"), ("测控技术与仪器", "物理学", "电子科学与技术"),
                ("电子信息工程", "材料物理")),
    JobTemplate("optics", ("精密机械结构设计师", "光机结构工程师"), "长春{name}精密仪器有限公司", ("220173", "220172"),
                ("master", "bachelor"), (8000, 13000),
                ("负责光学仪器、空间载荷的光机结构设计", "完成结构有限元分析和热分析", "跟踪零件加工与装配"),
                ("熟练使用SolidWorks、ANSYS", "机械类相关专业"),
                ("solidworks", "ansys", "cae"), ("机械设计制造及其自动化", "机械工程"), ("测控技术与仪器", "工程力学", "车辆工程", "飞行器设计与工程"),
                ("光电信息科学与工程",)),
    JobTemplate("biomedicine", ("疫苗研发助理研究员", "病毒疫苗工艺研究员"), "长春{name}生物制品有限责任公司", ("220173",),
                ("master", "bachelor"), (6500, 11000),
                ("负责病毒培养、纯化等疫苗工艺开发实验", "撰写实验记录和研究报告", "配合完成中试放大"),
                ("生物技术、生物工程、药学等相关专业", "熟悉细胞培养、ELISA、PCR等实验技术", "了解GMP要求"),
                ("cell_culture", "molecular_biology", "gmp"), ("生物技术", "生物工程", "生物制药"), ("生物科学", "药学", "制药工程", "基础医学"),
                ("化学", "食品科学与工程", "动物医学")),
    JobTemplate("biomedicine", ("QC检验员", "质量控制专员（理化）"), "吉林{name}药业股份有限公司", ("220173", "220172"),
                ("bachelor", "college"), (4500, 7000),
                ("按GMP要求完成原辅料、成品理化检验", "维护HPLC、GC等检验仪器", "填写检验记录，处理偏差"),
                ("药学、化学、药物分析相关专业", "熟悉高效液相色谱操作"),
                ("hplc", "gmp", "lab_testing"), ("药学", "药物制剂", "应用化学"), ("化学", "制药工程", "生物制药", "中药学"),
                ("食品质量与安全", "生物技术")),
    JobTemplate("biomedicine", ("药品注册专员", "医药学术专员"), "长春{name}医药集团有限公司", ("220172", "220102"),
                ("bachelor", "master"), (6000, 9000),
                ("负责药品注册申报资料的撰写与整理", "跟踪法规动态", "与药监部门沟通"),
                ("药学、医学相关专业", "文字功底好，熟悉药品注册法规"),
                ("copywriting",), ("药学", "临床医学"), ("中药学", "药物制剂", "生物制药", "预防医学"), ("生物技术", "汉语言文学")),
    JobTemplate("rail", ("转向架设计工程师", "轨道车辆结构设计工程师"), "中车长春{name}轨道装备有限公司", ("220103", "220171"),
                ("bachelor", "master"), (7500, 12000),
                ("负责动车组、城轨车辆转向架结构设计", "完成强度计算和疲劳评估", "参与产品试验与现场问题处理"),
                ("机械、车辆、力学等相关专业", "熟练使用CATIA、ANSYS"),
                ("catia", "ansys", "rail_vehicle"), ("车辆工程", "机械设计制造及其自动化"), ("工程力学", "机械工程", "交通运输"),
                ("材料成型及控制工程", "机械电子工程")),
    JobTemplate("rail", ("电气设计工程师（城轨车辆）", "牵引系统工程师"), "中车长春{name}电气有限公司", ("220103",),
                ("bachelor", "master"), (7500, 12000),
                ("负责车辆牵引、辅助供电系统电气设计", "绘制电气原理图和接线图", "参与车辆调试"),
                ("电气工程及其自动化、轨道交通电气与控制等专业", "熟练使用EPLAN"),
                ("electrical_design", "rail_vehicle"), ("电气工程及其自动化", "轨道交通电气与控制"), ("自动化", "电子信息工程"),
                ("车辆工程", "通信工程")),
    JobTemplate("rail", ("车辆检修技术员", "动车组调试技术员"), "长春{name}轨道客车维保有限公司", ("220103", "220113"),
                ("college", "bachelor"), (4500, 7000),
                ("负责城轨车辆日常检修与故障处理", "执行车辆调试作业", "填写检修记录"),
                ("机电、车辆相关专业", "能适应出差"),
                ("rail_vehicle",), ("车辆工程", "机械电子工程"), ("机械设计制造及其自动化", "电气工程及其自动化", "交通运输"),
                ("自动化",), False),
    JobTemplate("agriculture", ("玉米育种助理", "作物育种技术员"), "吉林{name}种业有限公司", ("220122", "220182", "220183"),
                ("bachelor", "master"), (4500, 7000),
                ("负责玉米育种材料的田间种植与性状调查", "整理试验数据", "参与品种区域试验"),
                ("农学、种子科学与工程、植物科学相关专业", "能适应田间工作"),
                ("crop_breeding", "data_analysis"), ("农学", "种子科学与工程"), ("植物科学与技术", "植物保护", "园艺", "生物技术"),
                ("农业资源与环境", "生物科学")),
    JobTemplate("agriculture", ("农技推广员", "植保技术员"), "{name}现代农业发展有限公司", ("220122", "220184", "220112"),
                ("college", "bachelor"), (3800, 6000),
                ("为种植户提供病虫害防治和测土配方施肥指导", "组织农技培训", "推广新品种新技术"),
                ("农学、植物保护等相关专业", "有C1驾照"),
                ("plant_protection", "soil_fertilizer", "driving"), ("植物保护", "农学"), ("农业资源与环境", "园艺", "种子科学与工程"),
                ("植物科学与技术", "林学")),
    JobTemplate("agriculture", ("食品研发工程师", "品控主管"), "长春{name}食品股份有限公司", ("220106", "220171", "220183"),
                ("bachelor", "master"), (5000, 8000),
                ("负责玉米深加工、肉制品新品研发", "建立HACCP体系并监督执行", "处理客户质量投诉"),
                ("食品科学与工程、食品质量与安全相关专业", "熟悉食品安全国家标准"),
                ("food_rd", "food_safety"), ("食品科学与工程", "食品质量与安全"), ("粮食工程", "生物工程", "应用化学"),
                ("动物科学", "化学")),
    JobTemplate("agriculture", ("畜牧兽医技术员", "养殖场技术员"), "吉林{name}牧业有限公司", ("220182", "220184", "220122"),
                ("college", "bachelor"), (4500, 7000),
                ("负责生猪/肉牛养殖的疫病防控", "制定免疫程序", "指导饲养管理"),
                ("动物医学、动物科学相关专业",),
                ("vet", "animal_husbandry"), ("动物医学", "动物科学"), (), ("生物技术", "农学")),
    JobTemplate("software", ("Java开发工程师", "后端开发工程师"), "长春{name}软件技术有限公司", ("220173", "220172"),
                ("bachelor",), (7000, 13000),
                ("负责政务、医疗信息化系统后端开发", "参与需求分析与数据库设计", "编写单元测试"),
                ("熟悉Java、Spring Boot、MySQL", "计算机相关专业"),
                ("java", "sql"), ("计算机科学与技术", "软件工程"), ("网络工程", "信息管理与信息系统", "数据科学与大数据技术", "物联网工程"),
                ("电子信息工程", "信息与计算科学", "数学与应用数学")),
    JobTemplate("software", ("数据分析师", "大数据开发工程师"), "吉林{name}数据科技有限公司", ("220172", "220173"),
                ("bachelor", "master"), (7000, 12000),
                ("负责业务数据清洗、建模与可视化", "搭建数据指标体系", "输出分析报告"),
                ("熟练使用Python、SQL", "统计学、数学、计算机等相关专业"),
                ("python", "sql", "data_analysis"), ("数据科学与大数据技术", "统计学", "应用统计学"),
                ("计算机科学与技术", "软件工程", "数学与应用数学", "信息与计算科学"), ("金融工程", "经济学", "信息管理与信息系统")),
    JobTemplate("software", ("算法工程师（计算机视觉）", "AI算法研究员"), "长春{name}智能科技有限公司", ("220173",),
                ("master", "doctor"), (12000, 20000),
                ("负责工业视觉检测算法研发", "训练与部署深度学习模型", "跟踪前沿论文"),
                ("熟悉PyTorch、OpenCV", "数学基础扎实"),
                ("machine_learning", "computer_vision", "python"), ("人工智能", "计算机科学与技术", "数据科学与大数据技术"),
                ("软件工程", "自动化", "电子信息工程", "数学与应用数学", "光电信息科学与工程"), ("统计学", "通信工程"), False),
    JobTemplate("software", ("软件测试工程师", "运维工程师"), "长春{name}信息技术有限公司", ("220104", "220172"),
                ("college", "bachelor"), (5000, 8000),
                ("负责系统功能测试与自动化测试脚本编写", "维护Linux服务器", "跟踪缺陷"),
                ("计算机、网络相关专业", "熟悉Linux、SQL、Python"),
                ("linux", "sql", "python"), ("软件工程", "计算机科学与技术", "网络工程"), ("信息安全", "物联网工程", "电子信息工程"),
                ("通信工程", "信息管理与信息系统")),
    JobTemplate("education", ("高中语文教师", "初中语文教师"), "长春市{name}实验中学", ("220102", "220104", "220105"),
                ("bachelor", "master"), (4500, 7000),
                ("承担语文学科教学任务", "担任班主任", "参与教研活动"),
                ("汉语言文学等相关专业", "具有高中语文教师资格证", "普通话二级甲等以上"),
                ("teaching",), ("汉语言文学", "汉语言"), ("汉语国际教育", "新闻学", "教育学"), ("历史学", "小学教育")),
    JobTemplate("education", ("高中数学教师", "初中数学教师"), "长春市{name}中学", ("220102", "220104", "220106"),
                ("bachelor", "master"), (4500, 7000),
                ("承担数学学科教学任务", "辅导学生竞赛", "参与教研"),
                ("数学与应用数学相关专业", "持教师资格证"),
                ("teaching",), ("数学与应用数学",), ("信息与计算科学", "统计学", "应用统计学"), ("物理学", "教育学")),
    JobTemplate("education", ("幼儿园教师", "小学英语教师"), "长春市{name}幼儿园", ("220103", "220105", "220106", "220172"),
                ("college", "bachelor"), (3500, 5500),
                ("负责班级保教工作", "设计教学活动", "家园沟通"),
                ("学前教育、英语、小学教育相关专业", "有教师资格证"),
                ("teaching", "english"), ("学前教育", "小学教育"), ("英语", "教育学", "音乐学"), ("汉语言文学", "心理学")),
    JobTemplate("health", ("临床医师（内科）", "住院医师"), "吉林省{name}医院", ("220102", "220104", "220105"),
                ("master", "doctor"), (8000, 14000),
                ("承担科室临床诊疗工作", "书写病历，参与值班", "参与临床科研"),
                ("临床医学专业，已取得执业医师资格证", "完成住院医师规范化培训者优先"),
                ("clinical_practice",), ("临床医学",), ("中西医临床医学", "中医学"), ("预防医学", "基础医学", "口腔医学")),
    JobTemplate("health", ("护士", "护理岗"), "长春{name}医院", ("220102", "220104", "220103", "220106"),
                ("college", "bachelor"), (4000, 6500),
                ("负责病房护理工作", "执行医嘱、观察病情", "参与急救"),
                ("护理学专业", "持护士执业资格证"),
                ("nursing_skill",), ("护理学",), (), ("临床医学", "医学检验技术")),
    JobTemplate("health", ("药剂师", "临床药师"), "吉林省{name}中心医院", ("220102", "220105"),
                ("bachelor", "master"), (5000, 8000),
                ("负责处方审核与药品调剂", "开展合理用药指导", "参与临床查房"),
                ("药学、临床药学专业", "有执业药师资格优先"),
                ("pharmacist",), ("药学",), ("药物制剂", "中药学"), ("制药工程", "临床医学")),
    JobTemplate("health", ("医学检验技师", "影像技师"), "长春市{name}医院", ("220104", "220106"),
                ("college", "bachelor"), (4500, 7000),
                ("负责检验科/影像科日常检测工作", "仪器维护与质控"),
                ("医学检验技术、医学影像技术专业",),
                ("lab_testing", "medical_imaging"), ("医学检验技术", "医学影像技术"), ("临床医学", "生物医学工程"), ("生物技术",)),
    JobTemplate("finance", ("综合柜员", "客户经理"), "长春{name}农村商业银行股份有限公司", ("220102", "220104", "220172", "220182"),
                ("bachelor", "master"), (5000, 9000),
                ("办理柜面业务", "营销存贷款与理财产品", "维护客户关系"),
                ("金融、经济、会计相关专业", "取得银行从业资格证者优先"),
                ("financial_analysis", "sales"), ("金融学", "经济学"), ("会计学", "财务管理", "国际经济与贸易", "投资学", "保险学"),
                ("市场营销", "统计学", "工商管理")),
    JobTemplate("finance", ("会计", "财务核算专员", "成本会计"), "吉林{name}集团有限公司", ("220102", "220104", "220171", "220174"),
                ("bachelor", "college"), (4500, 7500),
                ("负责日常账务处理与财务报表编制", "纳税申报", "成本核算"),
                ("会计学、财务管理专业", "持初级会计职称", "熟练使用用友/金蝶"),
                ("accounting_skill", "excel"), ("会计学", "财务管理"), ("审计学", "税收学", "金融学"), ("经济学", "工商管理")),
    JobTemplate("finance", ("风险管理岗", "信贷审批岗"), "吉林省{name}金融控股有限公司", ("220104", "220172"),
                ("master", "bachelor"), (8000, 13000),
                ("负责授信业务风险审查", "建立风险评估模型", "出具风险报告"),
                ("金融、统计、经济相关专业", "熟练使用Python或SAS者优先"),
                ("risk_control", "data_analysis", "python"), ("金融学", "金融工程"), ("统计学", "经济学", "投资学", "应用统计学"),
                ("会计学", "数学与应用数学")),
    JobTemplate("public_service", ("综合管理岗（事业编）", "街道社区工作者"), "长春市{name}街道办事处", ("220102", "220103", "220104", "220105", "220106"),
                ("bachelor", "college"), (3500, 5500),
                ("负责综合文字材料撰写", "承办社区公共服务事项", "做好群众接待"),
                ("专业不限，中共党员优先", "有较强的公文写作能力"),
                ("copywriting", "admin_skill"), ("行政管理", "公共事业管理", "汉语言文学"), ("社会工作", "法学", "思想政治教育", "新闻学"),
                ("人力资源管理", "历史学", "英语")),
    JobTemplate("public_service", ("法务专员", "法律顾问助理"), "长春{name}城市发展投资集团有限公司", ("220104", "220172"),
                ("bachelor", "master"), (5500, 9000),
                ("审核合同与规章制度", "处理诉讼仲裁事务", "开展合规培训"),
                ("法学专业", "通过法律职业资格考试"),
                ("law_skill",), ("法学",), (), ("行政管理", "社会工作")),
    JobTemplate("public_service", ("人力资源专员", "行政专员"), "长春{name}人力资源服务有限公司", ("220102", "220104", "220172"),
                ("bachelor", "college"), (4000, 6500),
                ("负责招聘、入离职与社保办理", "绩效与薪酬核算", "组织员工活动"),
                ("人力资源管理、工商管理相关专业", "熟练使用Office"),
                ("hr_skill", "excel"), ("人力资源管理",), ("工商管理", "行政管理", "心理学", "公共事业管理"), ("汉语言文学", "劳动与社会保障")),
    JobTemplate("energy", ("电气运维工程师", "变电站值班员"), "国网吉林{name}供电有限公司", ("220104", "220113", "220183"),
                ("bachelor", "college"), (6000, 9000),
                ("负责变电站设备运行维护", "处理电网故障", "执行倒闸操作"),
                ("电气工程及其自动化相关专业", "熟悉继电保护"),
                ("power_system", "electrical_design"), ("电气工程及其自动化",), ("自动化", "能源与动力工程", "轨道交通电气与控制"),
                ("电子信息工程", "机械电子工程")),
    JobTemplate("manufacturing", ("PLC电气工程师", "自动化工程师"), "长春{name}智能装备有限公司", ("220171", "220173", "220174"),
                ("bachelor", "college"), (6500, 10000),
                ("负责自动化产线PLC编程与调试", "设计电气控制柜", "工业机器人调试"),
                ("自动化、电气、机电相关专业", "熟悉西门子PLC、博途"),
                ("plc", "robot", "electrical_design"), ("自动化", "电气工程及其自动化", "机械电子工程"),
                ("机器人工程", "智能制造工程", "测控技术与仪器"), ("电子信息工程", "机械设计制造及其自动化")),
    JobTemplate("media", ("新媒体运营", "品牌宣传专员"), "长春{name}文化传媒有限公司", ("220104", "220172", "220102"),
                ("bachelor", "college"), (4500, 7000),
                ("负责公众号、短视频内容策划与运营", "撰写宣传文案", "分析运营数据"),
                ("新闻传播、广告、汉语言文学相关专业", "会PS、剪辑"),
                ("marketing_ops", "copywriting", "video_editing"), ("网络与新媒体", "新闻学", "广告学"),
                ("汉语言文学", "传播学", "市场营销", "广播电视学"), ("视觉传达设计", "电子商务")),
    JobTemplate("materials", ("材料研发工程师", "热处理工艺工程师"), "长春{name}新材料有限公司", ("220171", "220173"),
                ("master", "bachelor"), (7000, 11000),
                ("负责轻量化铝合金、复合材料开发", "开展金相、力学性能测试", "失效分析"),
                ("材料科学与工程、金属材料工程相关专业", "熟悉SEM、XRD"),
                ("materials_testing", "heat_treatment"), ("材料科学与工程", "金属材料工程", "复合材料与工程"),
                ("材料成型及控制工程", "高分子材料与工程", "材料物理", "材料化学"), ("化学", "车辆工程")),
)

_STYLE_HEADERS = (
    ("岗位职责：", "任职要求："),
    ("【工作内容】", "【任职资格】"),
    ("一、岗位职责\n", "二、岗位要求\n"),
    ("Job description: ", "要求："),
    ("", ""),
)

_GRADUATE_SKILLS_BY_MAJOR_HINT = {
    "车辆": ["CATIA", "ANSYS", "HyperMesh", "MATLAB", "NVH", "UG"], "机械": ["SolidWorks", "AutoCAD", "CATIA", "ANSYS", "UG"],
    "力学": ["ANSYS", "ABAQUS", "有限元分析", "MATLAB"], "材料": ["SEM", "XRD", "金相分析", "热处理"],
    "电气": ["PLC", "EPLAN", "继电保护", "MATLAB"], "自动化": ["PLC", "MATLAB", "C语言", "嵌入式"],
    "电子": ["C语言", "单片机", "PCB设计", "FPGA"], "通信": ["射频", "MATLAB", "C语言"],
    "计算机": ["Java", "Python", "SQL", "Linux"], "软件": ["Java", "Python", "MySQL", "Vue"],
    "数据": ["Python", "SQL", "机器学习", "数据分析"], "智能": ["Python", "PyTorch", "OpenCV"],
    "光电": ["Zemax", "光学检测", "激光", "LabVIEW"], "物理": ["MATLAB", "光学检测", "LabVIEW"], "测控": ["LabVIEW", "三坐标", "MATLAB"],
    "生物": ["细胞培养", "PCR", "ELISA", "Western Blot"], "药": ["HPLC", "GMP", "药品调剂"], "化学": ["HPLC", "有机合成", "色谱"],
    "农": ["田间试验", "作物育种", "病虫害防治", "测土配方"], "植物": ["病虫害防治", "田间试验"], "种子": ["作物育种", "田间试验"],
    "动物": ["动物防疫", "饲养管理"], "食品": ["HACCP", "食品检验", "食品研发"], "临床": ["临床技能", "病历书写", "执业医师资格"],
    "护理": ["护士执业资格", "静脉穿刺", "基础护理"], "检验": ["检验检测", "微生物检验"], "影像": ["CT", "超声"],
    "中医": ["针灸", "推拿"], "金融": ["财务分析", "银行从业", "Excel"], "经济": ["Excel", "数据分析", "SPSS"],
    "会计": ["初级会计职称", "用友", "Excel"], "财务": ["初级会计职称", "金蝶", "Excel"], "审计": ["审计", "Excel"],
    "统计": ["Python", "SPSS", "数据分析", "R"], "数学": ["MATLAB", "Python", "教师资格证"],
    "汉语言": ["公文写作", "教师资格证", "普通话二甲"], "新闻": ["新闻写作", "视频剪辑", "新媒体运营"],
    "广告": ["营销策划", "PS"], "英语": ["英语专业八级", "翻译", "教师资格证"], "教育": ["教师资格证", "教学设计"],
    "法学": ["法律职业资格", "合同审查"], "行政": ["公文写作", "Office"], "人力": ["人力资源管理师", "Excel"],
    "管理": ["Excel", "项目管理"], "营销": ["营销策划", "客户开发"], "设计": ["PS", "Illustrator"],
}
_MAJOR_POOL = tuple(sorted({m for t in TEMPLATES for m in (*t.primary, *t.acceptable, *t.related)}))


def _employer(rng: random.Random, template: JobTemplate) -> str:
    return template.employer.format(name=rng.choice(_NAMES))


def make_job(rng: random.Random, template: JobTemplate, job_id: str) -> dict[str, Any]:
    """One post from a template, in one of several writing styles."""
    level = rng.choice(template.levels)
    factor = {"college": 0.8, "bachelor": 1.0, "master": 1.3, "doctor": 1.7}[level]
    low = int(round(template.salary[0] * factor * rng.uniform(0.85, 1.15), -2))
    high = int(round(max(low + 500, template.salary[1] * factor * rng.uniform(0.85, 1.15)), -2))
    duties = list(template.duties)
    rng.shuffle(duties)
    requirements = list(template.requirements)
    degree = {"college": "大专及以上学历", "bachelor": "本科及以上学历", "master": "硕士研究生及以上学历",
              "doctor": "博士研究生学历"}[level]
    requirements.insert(0, degree)
    if not template.list_majors:
        requirements = [r for r in requirements if "专业" not in r]
    head_duties, head_requirements = rng.choice(_STYLE_HEADERS)
    if rng.random() < 0.5:
        body = head_duties + "；".join(f"{i + 1}. {d}" for i, d in enumerate(duties)) + "。" + head_requirements + \
            "；".join(f"{i + 1}. {r}" for i, r in enumerate(requirements)) + "。"
    else:
        body = head_duties + "，".join(duties) + "。" + head_requirements + "，".join(requirements) + "。"
    employer = _employer(rng, template)
    body = f"{employer}招聘。" + body + rng.choice(("待遇：五险一金，提供食宿。", "福利：带薪年假、节日福利、班车。", "", "欢迎应届毕业生投递！"))
    job: dict[str, Any] = {
        "id": job_id,
        "title": rng.choice(template.titles),
        "employer": employer,
        "description": body,
        "min_education": level,
        "district": rng.choice(template.districts),
        "salary_min": low,
        "salary_max": high,
        "headcount": rng.randint(1, 10),
        "sector": template.sector,
    }
    return job


def demo_jobs(n: int = 300, seed: int = 0) -> list[dict[str, Any]]:
    """`n` realistic Changchun graduate posts (automotive, optics, biomedicine, rail, agriculture and
    food, software, education, health, finance, public service, …) as job-line dicts (plus
    `employer` and `sector`)."""
    rng = random.Random(seed)
    return [make_job(rng, TEMPLATES[i % len(TEMPLATES)], f"J{i + 1:05d}") for i in range(n)]


def make_graduate(rng: random.Random, graduate_id: str, major: str | None = None) -> dict[str, Any]:
    major = major or rng.choice(_MAJOR_POOL)
    level = rng.choices(LEVELS, weights=(2, 6, 3, 1))[0]
    pool: list[str] = []
    for hint, skills in _GRADUATE_SKILLS_BY_MAJOR_HINT.items():
        if hint in major:
            pool.extend(skills)
    pool = list(dict.fromkeys(pool)) or ["Excel", "英语六级"]
    skills = rng.sample(pool, k=min(len(pool), rng.randint(1, 4)))
    if rng.random() < 0.4:
        skills.append(rng.choice(["英语六级", "Excel", "驾驶证", "Office"]))
    districts = rng.sample(("220102", "220103", "220104", "220105", "220106", "220171", "220172", "220173", "220174",
                            "220122", "220182"), k=rng.choice((0, 1, 2, 3)))
    expected = int(round({"college": 4500, "bachelor": 6000, "master": 8500, "doctor": 12000}[level]
                         * rng.uniform(0.8, 1.3), -2))
    return {
        "id": graduate_id,
        "major": major,
        "education": level,
        "skills": skills if rng.random() < 0.7 else "、".join(skills),
        "preferred_districts": districts,
        "expected_salary": expected,
    }


def demo_graduates(n: int = 200, seed: int = 0) -> list[dict[str, Any]]:
    """`n` graduate profiles (graduate-line dicts) of majors common in Changchun's universities."""
    rng = random.Random(seed)
    return [make_graduate(rng, f"G{i + 1:05d}") for i in range(n)]
