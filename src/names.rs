//! Personal names, told by their shape: a common Chinese surname (single or compound) and one or
//! two given characters. Used where a line's role depends on whether it names a person: a second
//! speaker's label (徐直军：), a byline of a name alone under a title (刘金新).

/// The commonest Chinese surnames (they cover some nine in ten people), simplified and
/// traditional: a speaker's label is a name, not a lead-in phrase such as 这不是：.
const SURNAMES: &str = "王李张張刘劉陈陳杨楊黄黃赵趙吴吳周徐孙孫马馬朱胡郭何林高罗羅郑鄭梁谢謝宋唐许許韩韓冯馮邓鄧曹彭曾肖萧蕭田董袁潘于蒋蔣蔡余杜叶葉程苏蘇魏吕呂丁任沈姚卢盧姜崔钟鍾谭譚陆陸汪范金石廖贾賈夏韦韋付方白邹鄒孟熊秦邱江尹薛闫閻段雷侯龙龍史陶黎贺賀顾顧毛郝龚龔邵万萬钱錢严嚴覃武戴莫孔向汤湯常温溫康施文牛樊葛邢安齐齊易乔喬伍庞龐颜顏倪庄莊聂聶章鲁魯岳翟殷詹申欧歐耿关關兰蘭焦俞左柳甘祝包宁寧尚符舒阮柯纪紀梅童凌毕畢单單季裴霍涂成苗谷盛曲翁冉骆駱蓝藍路游辛靳管柴蒙鲍鮑华華喻祁蒲房滕屈饶饒解牟艾尤阳陽时時穆农農司卓古吉缪繆简簡车車项項连連芦蘆麦麥褚娄婁窦竇戚岑景党黨宫宮费費卜冷晏席卫衛米柏宗瞿桂全佟应應臧闵閔苟邬鄔边邊卞姬师師和仇栾欒隋商刁沙荣榮巫寇桑郎甄丛叢仲虞敖巩鞏明佘池查麻苑迟遲邝鄺习習栗薄郁晁靖荆荊扈帅帥戈阎楚狄亓厉厲奚伏邰嵇蔺藺颉頡权權冀逄宿燕支鄢乐樂仝禹鹿芮谈談言云揭洪达達裘平";
const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "歐陽", "司马", "司馬", "诸葛", "諸葛", "上官", "司徒", "东方", "東方", "夏侯", "皇甫",
    "尉迟", "公孙", "公孫", "令狐", "慕容", "长孙", "長孫", "宇文",
];

/// Whether a name (or a label `name：`) is a person's: a common surname and one or two given
/// characters, not a form of address (李主任, 王老师).
pub fn is_personal_name(label: &str) -> bool {
    let name = label.trim_end_matches(['：', ':']).trim();
    let chars = name.chars().count();
    let address = [
        "主任", "书记", "書記", "同志", "老师", "老師", "先生", "女士", "总", "總",
    ];
    if address.iter().any(|a| name.ends_with(a)) {
        return false;
    }
    let compound = COMPOUND_SURNAMES.iter().any(|s| name.starts_with(s));
    match compound {
        true => (3..=4).contains(&chars),
        false => {
            (2..=3).contains(&chars) && name.chars().next().is_some_and(|c| SURNAMES.contains(c))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_a_surname_and_one_or_two_characters() {
        for name in [
            "徐直军",
            "刘金新",
            "习近平",
            "余承东",
            "欧阳修",
            "王伟：",
            "張三",
        ] {
            assert!(is_personal_name(name), "{name}");
        }
        for not in [
            "这不是",
            "而是",
            "李主任",
            "王老师",
            "同志们",
            "徐",
            "徐直军同志好",
        ] {
            assert!(!is_personal_name(not), "{not}");
        }
    }
}
